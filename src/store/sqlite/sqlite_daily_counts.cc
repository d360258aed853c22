// SqliteStore::CountSamplesByDay (store.h): the shared grouped statement on the reader.
#include <algorithm>

#include "store/record_fields.h"
#include "store/sql_statements.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"

namespace llmscope::store {

Result<std::vector<DailySampleCount>> SqliteStore::CountSamplesByDay(int64_t since_ms,
                                                                     int64_t until_ms) {
  std::lock_guard lock(reader_->mu);
  Result<sqlite::SqliteStatement> stmt = reader_->Prepare(sql::SelectSampleCountsByDay());
  if (!stmt) return stmt.error();
  sqlite::SqliteBinder b(stmt->get());
  b.Int(std::max<int64_t>(since_ms, 0)).Int(until_ms);
  if (Status s = b.Done("CountSamplesByDay"); !s) return s.error();
  return sqlite::ReadAll<DailySampleCount>(
      *reader_, *stmt, record_fields::ReadDailySampleCount<sqlite::SqliteRow>, "CountSamplesByDay");
}

}  // namespace llmscope::store

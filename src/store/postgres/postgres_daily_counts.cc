// PostgresStore::CountSamplesByDay (store.h): the shared grouped statement on a pooled connection.
#include <algorithm>

#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/record_fields.h"
#include "store/sql_statements.h"

namespace llmscope::store {

Result<std::vector<DailySampleCount>> PostgresStore::CountSamplesByDay(int64_t since_ms,
                                                                       int64_t until_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<pg::PgResult> r = conn->Run(
      sql::SelectSampleCountsByDay(),
      pg::PgParams().Int(std::max<int64_t>(since_ms, 0)).Int(until_ms), "CountSamplesByDay");
  if (!r) return r.error();
  std::vector<DailySampleCount> rows;
  const int n = PQntuples(r->get());
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    pg::PgRow row(r->get(), i);
    rows.push_back(record_fields::ReadDailySampleCount(row));
    if (row.error()) return *row.error();
  }
  return rows;
}

}  // namespace llmscope::store

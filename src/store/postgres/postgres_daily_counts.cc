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
  return pg::ReadAll<DailySampleCount>(*r, record_fields::ReadDailySampleCount<pg::PgRow>);
}

}  // namespace llmscope::store

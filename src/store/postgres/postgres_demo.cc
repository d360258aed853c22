// PostgresStore's demo data (store.h "Demo data"): the shared statements on a pooled connection.
#include <cstdlib>

#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/record_fields.h"
#include "store/sql_statements.h"

namespace llmscope::store {

Status PostgresStore::MarkDemoSource(const SourceKey& source, int64_t now_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgParams p;
  record_fields::BindSource(p, source);
  p.Int(now_ms);
  if (Result<pg::PgResult> r = conn->Run(sql::InsertDemoSource(), p, "MarkDemoSource"); !r) {
    return r.error();
  }
  return {};
}

Result<std::vector<SourceKey>> PostgresStore::DemoSources() {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<pg::PgResult> r = conn->Run(sql::SelectDemoSources(), pg::PgParams(), "DemoSources");
  if (!r) return r.error();
  return pg::ReadAll<SourceKey>(*r, record_fields::ReadSource<pg::PgRow>);
}

Result<int64_t> PostgresStore::DeleteDemoData() {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  int64_t deleted = 0;
  for (const std::string& statement : sql::DemoDeletes({"placed_stages", "violation_counts"})) {
    Result<pg::PgResult> r = conn->Run(statement, pg::PgParams(), "DeleteDemoData");
    if (!r) return r.error();
    deleted += std::strtoll(PQcmdTuples(r->get()), nullptr, 10);
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

}  // namespace llmscope::store

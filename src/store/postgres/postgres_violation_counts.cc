#include "store/postgres/postgres_violation_counts.h"

#include <cstdlib>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/rollups.h"
#include "store/violation_count_sql.h"

namespace llmscope::store {
namespace pg {

Status AddToViolationCounts(PgConnection& conn, const std::vector<ViolationCount>& counts) {
  if (counts.empty()) return {};
  std::vector<PgParams> rows(counts.size());
  for (size_t i = 0; i < counts.size(); ++i) violation_count_sql::BindCount(rows[i], counts[i]);
  Result<std::vector<PgResult>> done =
      conn.RunPipelined(violation_count_sql::Upsert(), rows, "violation_counts");
  if (!done) return done.error();
  return {};
}

Status RebuildViolationCounts(PgConnection& conn, int64_t from) {
  if (Result<PgResult> r =
          conn.Run(violation_count_sql::DeleteFrom(), PgParams().Int(from), "violation_counts");
      !r) {
    return r.error();
  }
  for (int64_t width : kRollupWidthsMs) {
    if (Result<PgResult> r = conn.Run(violation_count_sql::FillFromViolations(width),
                                      PgParams().Int(from), "violation_counts: fill");
        !r) {
      return r.error();
    }
  }
  return {};
}

Result<int64_t> DeleteViolationCountsOlderThan(PgConnection& conn, int64_t width_ms,
                                               int64_t cutoff_ms) {
  Result<PgResult> r = conn.Run(violation_count_sql::DeleteOlderThan(),
                                PgParams().Int(width_ms).Int(cutoff_ms),
                                "DeleteRollupsOlderThan: violation_counts");
  if (!r) return r.error();
  return static_cast<int64_t>(std::strtoll(PQcmdTuples(r->get()), nullptr, 10));
}

}  // namespace pg

Result<std::vector<ViolationCount>> PostgresStore::QueryViolationCounts(
    const ViolationCountQuery& q) {
  pg::PgParams p;
  violation_count_sql::BindCountQuery(p, q);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<pg::PgResult> r = conn->Run(violation_count_sql::Select(), p, "QueryViolationCounts");
  if (!r) return r.error();
  Result<std::vector<ViolationCount>> counts =
      pg::ReadAll<ViolationCount>(*r, violation_count_sql::ReadQueriedCount<pg::PgRow>);
  if (counts) {
    for (ViolationCount& c : *counts) c.series = q.series;
  }
  return counts;
}

}  // namespace llmscope::store

#include "store/postgres/postgres_rollups.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "store/postgres/postgres_schema.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_violation_counts.h"
#include "store/record_fields.h"
#include "store/rollup_rebuild.h"
#include "store/rollup_sql.h"
#include "store/rollups.h"
#include "store/sketch_sql.h"

namespace llmscope::store {
namespace pg {
namespace {

Status Upsert(PgConnection& conn, const std::vector<SourceRollup>& rollups) {
  if (rollups.empty()) return {};
  std::vector<PgParams> rows(rollups.size());
  for (size_t i = 0; i < rollups.size(); ++i) rollup_sql::BindSourceRollup(rows[i], rollups[i]);
  Result<std::vector<PgResult>> done = conn.RunPipelined(rollup_sql::Upsert(), rows, "rollups");
  if (!done) return done.error();
  return {};
}

}  // namespace

Status AddToRollups(PgConnection& conn, const std::vector<Sample>& samples,
                    const std::vector<int64_t>& ids, const std::vector<bool>& duplicate) {
  return Upsert(conn, RollupsOfStored(samples, ids, duplicate));
}

Result<int64_t> RebuildRollups(PgConnection& conn, int64_t since_ms) {
  RollupRebuildSteps steps;
  steps.delete_from = [&conn](int64_t from) -> Status {
    Result<PgResult> r = conn.Run(rollup_sql::DeleteFrom(), PgParams().Int(from), "rollups");
    if (!r) return r.error();
    return {};
  };
  steps.read_page = [&conn](int64_t after_id, int64_t from,
                            int64_t limit) -> Result<std::vector<Sample>> {
    Result<PgResult> r =
        conn.Run(rollup_sql::SelectSamplesToRebuild(),
                 PgParams().Int(after_id).Int(from).Int(limit), "RebuildRollups");
    if (!r) return r.error();
    return ReadAll<Sample>(*r, record_fields::ReadSample<PgRow>);
  };
  steps.upsert = [&conn](const std::vector<SourceRollup>& rollups) {
    return Upsert(conn, rollups);
  };
  steps.count_violations_from = [&conn](int64_t from) {
    return RebuildViolationCounts(conn, from);
  };
  return RebuildRollupsInPages(since_ms, steps);
}

}  // namespace pg

using pg::PgParams;
using pg::PgResult;
using pg::PgRow;

Result<std::vector<Sample>> PostgresStore::SamplesWithIds(const std::vector<int64_t>& wanted,
                                                          SampleFields fields) {
  std::vector<int64_t> ids = wanted;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Sample> out;
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  for (size_t at = 0; at < ids.size(); at += rollup_sql::kIdsPerSelect) {
    const size_t n = std::min(rollup_sql::kIdsPerSelect, ids.size() - at);
    PgParams p;
    for (size_t i = at; i < at + n; ++i) p.Int(ids[i]);
    Result<PgResult> r =
        conn->Run(rollup_sql::SelectSamplesWithIds(n, fields), p, "SamplesWithIds");
    if (!r) return r.error();
    Result<std::vector<Sample>> rows =
        pg::ReadAll<Sample>(*r, record_fields::SampleReader<PgRow>(fields));
    if (!rows) return rows.error();
    out.insert(out.end(), std::make_move_iterator(rows->begin()),
               std::make_move_iterator(rows->end()));
  }
  return out;
}

Result<std::vector<Rollup>> PostgresStore::QueryRollups(const RollupQuery& q) {
  PgParams p;
  rollup_sql::BindRollupQuery(p, q);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(rollup_sql::Select(q), p, "QueryRollups");
  if (!r) return r.error();
  const std::vector<Metric> metrics = rollup_sql::QueriedMetrics(q);
  Result<std::vector<std::vector<Rollup>>> rows = pg::ReadAll<std::vector<Rollup>>(
      *r, [&metrics](PgRow& c) { return rollup_sql::ReadQueriedRollups(c, metrics); });
  if (!rows) return rows.error();
  return rollup_sql::SeriesRollups(std::move(*rows));
}

Result<int64_t> PostgresStore::RebuildRollups(int64_t since_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  // The appends' lock, held to the commit: no batch adds to a bucket while it is rebuilt.
  if (Result<PgResult> r = conn->Run("SELECT pg_advisory_xact_lock(?)",
                                     PgParams().Int(pg::kAppendLockKey), "RebuildRollups: lock");
      !r) {
    return r.error();
  }
  Result<int64_t> written = pg::RebuildRollups(*conn, since_ms);
  if (!written) return written.error();
  if (Status s = txn.Commit(); !s) return s.error();
  return written;
}

Result<int64_t> PostgresStore::DeleteRollupsOlderThan(int64_t width_ms, int64_t cutoff_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  Result<PgResult> r = conn->Run(rollup_sql::DeleteOlderThan(),
                                 PgParams().Int(width_ms).Int(cutoff_ms), "DeleteRollupsOlderThan");
  if (!r) return r.error();
  const int64_t rollups = std::strtoll(PQcmdTuples(r->get()), nullptr, 10);
  Result<int64_t> counts = pg::DeleteViolationCountsOlderThan(*conn, width_ms, cutoff_ms);
  if (!counts) return counts.error();
  int64_t sketches = 0;
  if (width_ms == kRollupHourMs) {  // kept as long as the hour rollups (sketch_hours.h)
    Result<PgResult> old = conn->Run(sketch_sql::DeleteOlderThan(), PgParams().Int(cutoff_ms),
                                     "DeleteRollupsOlderThan: sketch_hours");
    if (!old) return old.error();
    sketches = std::strtoll(PQcmdTuples(old->get()), nullptr, 10);
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return rollups + *counts + sketches;
}

}  // namespace llmscope::store

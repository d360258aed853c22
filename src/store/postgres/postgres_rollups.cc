#include "store/postgres/postgres_rollups.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "store/postgres/postgres_schema.h"
#include "store/postgres/postgres_store.h"
#include "store/record_fields.h"
#include "store/rollup_sql.h"
#include "store/rollups.h"

namespace llmscope::store {
namespace pg {
namespace {

constexpr int64_t kRebuildPage = 20000;

Status Upsert(PgConnection& conn, const std::vector<Rollup>& rollups) {
  if (rollups.empty()) return {};
  std::vector<PgParams> rows(rollups.size());
  for (size_t i = 0; i < rollups.size(); ++i) rollup_sql::BindRollup(rows[i], rollups[i]);
  Result<std::vector<PgResult>> done = conn.RunPipelined(rollup_sql::Upsert(), rows, "rollups");
  if (!done) return done.error();
  return {};
}

}  // namespace

Status AddToRollups(PgConnection& conn, const std::vector<Sample>& samples,
                    const std::vector<int64_t>& ids, const std::vector<bool>& duplicate) {
  RollupBuilder builder;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!duplicate[i]) builder.Add(samples[i], ids[i]);
  }
  return Upsert(conn, builder.Take());
}

Result<int64_t> RebuildRollups(PgConnection& conn, int64_t since_ms) {
  const int64_t from = since_ms == INT64_MIN ? INT64_MIN : BucketStart(since_ms, kRollupHourMs);
  if (Result<PgResult> r = conn.Run(rollup_sql::DeleteFrom(), PgParams().Int(from), "rollups");
      !r) {
    return r.error();
  }
  // A page at a time, each page's rollups added to the stored ones: memory stays one page's.
  int64_t written = 0, after_id = 0;
  while (true) {
    Result<PgResult> r =
        conn.Run(rollup_sql::SelectSamplesToRebuild(),
                 PgParams().Int(after_id).Int(from).Int(kRebuildPage), "RebuildRollups");
    if (!r) return r.error();
    Result<std::vector<Sample>> page = ReadAll<Sample>(*r, record_fields::ReadSample<PgRow>);
    if (!page) return page.error();
    RollupBuilder builder;
    for (const Sample& s : *page) builder.Add(s, s.id);
    std::vector<Rollup> rollups = builder.Take();
    if (Status s = Upsert(conn, rollups); !s) return s.error();
    written += static_cast<int64_t>(rollups.size());
    if (static_cast<int64_t>(page->size()) < kRebuildPage) break;
    after_id = page->back().id;
  }
  return written;
}

}  // namespace pg

using pg::PgParams;
using pg::PgResult;
using pg::PgRow;

Result<std::vector<Sample>> PostgresStore::SamplesWithIds(const std::vector<int64_t>& wanted) {
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
    Result<PgResult> r = conn->Run(rollup_sql::SelectSamplesWithIds(n), p, "SamplesWithIds");
    if (!r) return r.error();
    Result<std::vector<Sample>> rows = pg::ReadAll<Sample>(*r, record_fields::ReadSample<PgRow>);
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
  return pg::ReadAll<Rollup>(*r, rollup_sql::ReadRollup<PgRow>);
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
  Result<PgResult> r = conn->Run(rollup_sql::DeleteOlderThan(),
                                 PgParams().Int(width_ms).Int(cutoff_ms), "DeleteRollupsOlderThan");
  if (!r) return r.error();
  return static_cast<int64_t>(std::strtoll(PQcmdTuples(r->get()), nullptr, 10));
}

}  // namespace llmscope::store

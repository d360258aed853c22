#include "store/sqlite/sqlite_rollups.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "store/record_fields.h"
#include "store/rollup_rebuild.h"
#include "store/rollup_sql.h"
#include "store/rollups.h"
#include "store/sketch_sql.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_violation_counts.h"

namespace llmscope::store {
namespace sqlite {
namespace {

Status Upsert(SqliteConnection& conn, const std::vector<SourceRollup>& rollups) {
  Result<SqliteStatement> upsert = conn.Prepare(rollup_sql::Upsert());
  if (!upsert) return upsert.error();
  for (const SourceRollup& r : rollups) {
    SqliteBinder b(upsert->get());
    rollup_sql::BindSourceRollup(b, r);
    if (Status s = b.Done("rollups"); !s) return s;
    if (upsert->Step() != SQLITE_DONE) return conn.Fail("rollups");
    upsert->Reset();
  }
  return {};
}

}  // namespace

Status AddToRollups(SqliteConnection& conn, const std::vector<Sample>& samples,
                    const std::vector<int64_t>& ids, const std::vector<bool>& duplicate) {
  return Upsert(conn, RollupsOfStored(samples, ids, duplicate));
}

Result<int64_t> RebuildRollups(SqliteConnection& conn, int64_t since_ms) {
  RollupRebuildSteps steps;
  steps.delete_from = [&conn](int64_t from) -> Status {
    Result<SqliteStatement> clear = conn.Prepare(rollup_sql::DeleteFrom());
    if (!clear) return clear.error();
    if (Status s = SqliteBinder(clear->get()).Int(from).Done("RebuildRollups"); !s) return s;
    if (clear->Step() != SQLITE_DONE) return conn.Fail("RebuildRollups");
    return {};
  };
  steps.read_page = [&conn](int64_t after_id, int64_t from,
                            int64_t limit) -> Result<std::vector<Sample>> {
    Result<SqliteStatement> select = conn.Prepare(rollup_sql::SelectSamplesToRebuild());
    if (!select) return select.error();
    SqliteBinder b(select->get());
    b.Int(after_id).Int(from).Int(limit);
    if (Status s = b.Done("RebuildRollups"); !s) return s.error();
    return ReadAll<Sample>(conn, *select, record_fields::ReadSample<SqliteRow>, "RebuildRollups");
  };
  steps.upsert = [&conn](const std::vector<SourceRollup>& rollups) {
    return Upsert(conn, rollups);
  };
  steps.count_violations_from = [&conn](int64_t from) {
    return RebuildViolationCounts(conn, from);
  };
  return RebuildRollupsInPages(since_ms, steps);
}

Status ConvertFormerRollups(SqliteConnection& conn) {
  Result<SqliteStatement> next_source = conn.Prepare(rollup_sql::SelectNextFormerSource());
  if (!next_source) return next_source.error();
  Result<SqliteStatement> upsert = conn.Prepare(rollup_sql::Upsert());
  if (!upsert) return upsert.error();
  std::vector<SqliteStatement> by_metric;  // by_metric[m]: Metric m's rows of the source
  for (Metric metric : kAllMetrics) {
    Result<SqliteStatement> rows = conn.Prepare(rollup_sql::SelectFormerRows(metric));
    if (!rows) return rows.error();
    by_metric.push_back(std::move(*rows));
  }
  const size_t error_metric = static_cast<size_t>(Metric::kError);
  SourceKey source;  // the last converted; four "" before the first
  while (true) {
    next_source->Reset();
    SqliteBinder b(next_source->get());
    record_fields::BindSource(b, source);
    if (Status s = b.Done("ConvertFormerRollups"); !s) return s;
    const int found = next_source->Step();
    if (found == SQLITE_DONE) return {};
    if (found != SQLITE_ROW) return conn.Fail("ConvertFormerRollups");
    SqliteRow key(next_source->get());
    source = record_fields::ReadSource(key);
    // Each metric's rows in (width, bucket) order; current[m] is Metric m's next unread row.
    std::array<std::optional<Rollup>, kMetricCount> current;
    auto advance = [&](size_t m) -> Status {
      const int rc = by_metric[m].Step();
      if (rc == SQLITE_DONE) {
        current[m].reset();
      } else if (rc == SQLITE_ROW) {
        SqliteRow row(by_metric[m].get());
        current[m] = rollup_sql::ReadFormerRollup(row);
      } else {
        return conn.Fail("ConvertFormerRollups");
      }
      return {};
    };
    for (size_t m = 0; m < kMetricCount; ++m) {
      by_metric[m].Reset();
      SqliteBinder rows(by_metric[m].get());
      record_fields::BindSource(rows, source);
      if (Status s = rows.Done("ConvertFormerRollups"); !s) return s;
      if (Status s = advance(m); !s) return s;
    }
    auto key_of = [](const Rollup& r) { return std::pair(r.width_ms, r.bucket_ms); };
    // The error metric has a row in every bucket; each bucket's rows of the others are taken
    // with it (a row of a bucket without one, which AppendSamples never wrote, is passed over).
    while (current[error_metric]) {
      const std::pair<int64_t, int64_t> bucket = key_of(*current[error_metric]);
      std::array<const Rollup*, kMetricCount> rows{};
      for (size_t m = 0; m < kMetricCount; ++m) {
        while (current[m] && key_of(*current[m]) < bucket) {
          if (Status s = advance(m); !s) return s;
        }
        if (current[m] && key_of(*current[m]) == bucket) rows[m] = &*current[m];
      }
      SqliteBinder row(upsert->get());
      rollup_sql::BindSourceRollup(row, rollup_sql::FromFormerRows(source, rows));
      if (Status s = row.Done("ConvertFormerRollups"); !s) return s;
      if (upsert->Step() != SQLITE_DONE) return conn.Fail("ConvertFormerRollups");
      upsert->Reset();
      for (size_t m = 0; m < kMetricCount; ++m) {
        if (rows[m] == nullptr) continue;
        if (Status s = advance(m); !s) return s;
      }
    }
  }
}

}  // namespace sqlite

using sqlite::ReadAll;
using sqlite::SqliteBinder;
using sqlite::SqliteRow;
using sqlite::SqliteStatement;
using sqlite::SqliteTransaction;

Result<std::vector<Sample>> SqliteStore::SamplesWithIds(const std::vector<int64_t>& wanted,
                                                        SampleFields fields) {
  std::vector<int64_t> ids = wanted;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Sample> out;
  std::lock_guard lock(reader_->mu);
  SqliteTransaction snapshot(*reader_);
  if (Status s = snapshot.Begin(/*immediate=*/false); !s) return s.error();
  for (size_t at = 0; at < ids.size(); at += rollup_sql::kIdsPerSelect) {
    const size_t n = std::min(rollup_sql::kIdsPerSelect, ids.size() - at);
    Result<SqliteStatement> stmt = reader_->Prepare(rollup_sql::SelectSamplesWithIds(n, fields));
    if (!stmt) return stmt.error();
    SqliteBinder b(stmt->get());
    for (size_t i = at; i < at + n; ++i) b.Int(ids[i]);
    if (Status s = b.Done("SamplesWithIds"); !s) return s.error();
    Result<std::vector<Sample>> rows =
        ReadAll<Sample>(*reader_, *stmt, record_fields::SampleReader<SqliteRow>(fields),
                        "SamplesWithIds");
    if (!rows) return rows.error();
    out.insert(out.end(), std::make_move_iterator(rows->begin()),
               std::make_move_iterator(rows->end()));
  }
  return out;
}

Result<std::vector<Rollup>> SqliteStore::QueryRollups(const RollupQuery& q) {
  const std::string sql = rollup_sql::Select(q);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  rollup_sql::BindRollupQuery(b, q);
  if (Status s = b.Done("QueryRollups"); !s) return s.error();
  const std::vector<Metric> metrics = rollup_sql::QueriedMetrics(q);
  Result<std::vector<std::vector<Rollup>>> rows = ReadAll<std::vector<Rollup>>(
      *reader_, *stmt,
      [&metrics](SqliteRow& c) { return rollup_sql::ReadQueriedRollups(c, metrics); },
      "QueryRollups");
  if (!rows) return rows.error();
  return rollup_sql::SeriesRollups(std::move(*rows));
}

Result<int64_t> SqliteStore::RebuildRollups(int64_t since_ms) {
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<int64_t> written = sqlite::RebuildRollups(*writer_, since_ms);
  if (!written) return written.error();
  if (Status s = txn.Commit(); !s) return s.error();
  return written;
}

Result<int64_t> SqliteStore::DeleteRollupsOlderThan(int64_t width_ms, int64_t cutoff_ms) {
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<SqliteStatement> stmt = writer_->Prepare(rollup_sql::DeleteOlderThan());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  b.Int(width_ms).Int(cutoff_ms);
  if (Status s = b.Done("DeleteRollupsOlderThan"); !s) return s.error();
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("DeleteRollupsOlderThan");
  const auto rollups = static_cast<int64_t>(sqlite3_changes64(writer_->handle()));
  Result<int64_t> counts = sqlite::DeleteViolationCountsOlderThan(*writer_, width_ms, cutoff_ms);
  if (!counts) return counts.error();
  int64_t sketches = 0;
  if (width_ms == kRollupHourMs) {  // kept as long as the hour rollups (sketch_hours.h)
    Result<SqliteStatement> old = writer_->Prepare(sketch_sql::DeleteOlderThan());
    if (!old) return old.error();
    if (Status s = SqliteBinder(old->get()).Int(cutoff_ms).Done("DeleteRollupsOlderThan"); !s) {
      return s.error();
    }
    if (old->Step() != SQLITE_DONE) return writer_->Fail("DeleteRollupsOlderThan");
    sketches = static_cast<int64_t>(sqlite3_changes64(writer_->handle()));
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return rollups + *counts + sketches;
}

}  // namespace llmscope::store

// The migration tests' view of the rollups table that source_rollups replaced (one row per
// series, width and bucket; SQLite step 4, PostgreSQL step 3): the table as each store created it,
// a history whose rollups cover every metric's cases, and the INSERT that writes given rollups as
// rows of that table, so a test can put a store back to a version before the conversion
// (store/rollup_sql.h).
#pragma once

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/rollups.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {

inline constexpr std::string_view kCreateSqliteSeriesRollups = R"sql(CREATE TABLE rollups (
    provider TEXT NOT NULL, model TEXT NOT NULL, site TEXT NOT NULL, profile TEXT NOT NULL,
    metric TEXT NOT NULL, width_ms INTEGER NOT NULL, bucket_ms INTEGER NOT NULL,
    count INTEGER NOT NULL, errors INTEGER NOT NULL, value_count INTEGER NOT NULL,
    value_sum REAL NOT NULL, value_sum_squares REAL NOT NULL,
    min_value REAL, min_time_ms INTEGER, min_id INTEGER,
    max_value REAL, max_time_ms INTEGER, max_id INTEGER,
    first_time_ms INTEGER NOT NULL, first_value REAL, first_id INTEGER NOT NULL,
    last_time_ms INTEGER NOT NULL, last_value REAL, last_id INTEGER NOT NULL,
    PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms)) WITHOUT ROWID)sql";

inline constexpr std::string_view kCreatePostgresSeriesRollups = R"sql(CREATE TABLE rollups (
    provider TEXT COLLATE "C" NOT NULL, model TEXT COLLATE "C" NOT NULL,
    site TEXT COLLATE "C" NOT NULL, profile TEXT COLLATE "C" NOT NULL,
    metric TEXT COLLATE "C" NOT NULL, width_ms BIGINT NOT NULL, bucket_ms BIGINT NOT NULL,
    count BIGINT NOT NULL, errors BIGINT NOT NULL, value_count BIGINT NOT NULL,
    value_sum DOUBLE PRECISION NOT NULL, value_sum_squares DOUBLE PRECISION NOT NULL,
    min_value DOUBLE PRECISION, min_time_ms BIGINT, min_id BIGINT,
    max_value DOUBLE PRECISION, max_time_ms BIGINT, max_id BIGINT,
    first_time_ms BIGINT NOT NULL, first_value DOUBLE PRECISION, first_id BIGINT NOT NULL,
    last_time_ms BIGINT NOT NULL, last_value DOUBLE PRECISION, last_id BIGINT NOT NULL,
    PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms)))sql";

// Two sources over two hours, with failed calls and calls without ttft.
inline std::vector<Sample> SeriesRollupHistory() {
  std::vector<Sample> out;
  for (int i = 0; i < 300; ++i) {
    Sample s = MakeSample(1'700'000'000'000 + int64_t{i} * 29'000,
                          i % 4 == 0 ? Source("p", "m", "eu") : Source("p", "m"), 100 + i % 37);
    if (i % 3 == 0) s.ttft_ms = 10 + i % 5;
    if (i % 11 == 0) {
      s.error = true;
      s.e2e_ms.reset();
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Every rollup of the store: both widths, every series.
inline std::vector<Rollup> EveryRollup(Store& store) {
  std::vector<Rollup> all;
  for (int64_t width : kRollupWidthsMs) {
    RollupQuery q;
    q.width_ms = width;
    Result<std::vector<Rollup>> got = store.QueryRollups(q);
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (got.ok()) all.insert(all.end(), got->begin(), got->end());
  }
  return all;
}

// The former rows of `live` that a test writes, and the rollups their conversion gives: the rows
// of a store, less one metric's row of a bucket with values (converted as that metric without
// values), plus a row of a bucket without the error metric's (which AppendSamples never wrote:
// passed over).
struct FormerRows {
  std::vector<Rollup> written, converted;
};
inline FormerRows FormerRowsWithAGap(const std::vector<Rollup>& live) {
  FormerRows out{live, live};
  auto gap = std::find_if(out.written.begin(), out.written.end(), [](const Rollup& r) {
    return r.series.metric == Metric::kTtftMs && r.value_count > 0;
  });
  Rollup& none = out.converted[static_cast<size_t>(gap - out.written.begin())];
  none.value_count = 0;
  none.value_sum = none.value_sum_squares = 0;
  none.min.reset();
  none.max.reset();
  none.first.value.reset();
  none.last.value.reset();
  Rollup orphan = *gap;
  orphan.series.metric = Metric::kE2eMs;
  orphan.bucket_ms = 0;
  *gap = orphan;
  return out;
}

// "INSERT INTO rollups VALUES (…), …" of the rollups, as the former table held them.
inline std::string InsertSeriesRollupRows(const std::vector<Rollup>& rollups) {
  auto real = [](std::optional<double> v) {
    if (!v) return std::string("NULL");
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", *v);
    return std::string(text);
  };
  auto point = [&](const std::optional<RollupPoint>& p) {
    if (!p) return std::string("NULL, NULL, NULL");
    return real(p->value) + ", " + std::to_string(p->time_ms) + ", " + std::to_string(p->id);
  };
  std::string sql = "INSERT INTO rollups VALUES ";
  for (const Rollup& r : rollups) {
    if (&r != &rollups.front()) sql += ", ";
    const SourceKey& k = r.series.source;
    sql += "('" + k.provider + "', '" + k.model + "', '" + k.site + "', '" + k.profile + "', '" +
           std::string(MetricName(r.series.metric)) + "', " + std::to_string(r.width_ms) + ", " +
           std::to_string(r.bucket_ms) + ", " + std::to_string(r.count) + ", " +
           std::to_string(r.errors) + ", " + std::to_string(r.value_count) + ", " +
           real(r.value_sum) + ", " + real(r.value_sum_squares) + ", " + point(r.min) + ", " +
           point(r.max) + ", " + std::to_string(r.first.time_ms) + ", " + real(r.first.value) +
           ", " + std::to_string(r.first.id) + ", " + std::to_string(r.last.time_ms) + ", " +
           real(r.last.value) + ", " + std::to_string(r.last.id) + ")";
  }
  return sql;
}

}  // namespace llmscope::store::conformance

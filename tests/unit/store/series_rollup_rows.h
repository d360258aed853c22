// The migration tests' view of the rollups table that source_rollups replaced (one row per
// series, width and bucket; SQLite step 4, PostgreSQL step 3): a history whose rollups cover
// every metric's cases, and the INSERT that writes given rollups as rows of that table, so a test
// can put a store back to the version before the conversion (store/rollup_sql.h).
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "store/rollups.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {

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

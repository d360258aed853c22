// Violation counts (docs/design.md "Rollups"): per series, rule, phase and rollup bucket (the
// widths of rollups.h), how many violation events began in that bucket. A violation is counted
// once, at its onset's bucket (first_time_ms), when its row is inserted; the stores keep the
// counts beside the rollups (same retention, rebuilt with them), so that the marks of a window
// read from rollups come per display bucket from a few thousand rows instead of every violation
// of the window (90 days: 222,000).
//
// Pure: no I/O, no clock. The stores keep them (store.h: WriteViolations, QueryViolationCounts).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/sample.h"
#include "spc/firing.h"
#include "store/records.h"
#include "store/rollups.h"

namespace llmscope::store {

struct ViolationCount {
  SeriesKey series;
  spc::Rule rule = spc::Rule::kR1;
  spc::Phase phase = spc::Phase::kMonitoring;
  int64_t width_ms = kRollupMinuteMs;
  int64_t bucket_ms = 0;  // the bucket's start: a multiple of width_ms
  int64_t count = 0;

  friend bool operator==(const ViolationCount&, const ViolationCount&) = default;
};

// The counts of one series and width with since_ms ≤ bucket_ms < until_ms.
struct ViolationCountQuery {
  SeriesKey series;
  int64_t width_ms = kRollupMinuteMs;
  int64_t since_ms = INT64_MIN, until_ms = INT64_MAX;
};

// What inserting these violations adds to the counts: one per violation at each width, summed
// per (series, rule, phase, width, bucket), in that order.
std::vector<ViolationCount> CountsOfInserted(std::span<const ViolationRecord* const> inserted);

}  // namespace llmscope::store

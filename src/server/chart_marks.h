// The violation marks a chart draws (docs/design.md "Rollups", "Violation marks"): one per
// violation for a window read from samples, and for a window read from rollups one per display
// bucket and rule, with how many violations of that rule began in the bucket (from the store's
// violation counts, store/violation_counts.h), at the bucket's highest display point. The newest
// listed violations keep a mark of their own (the dashboard opens them) and are taken out of
// their bucket's count, so every violation of the window is counted once. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "server/display_downsample.h"
#include "spc/firing.h"
#include "store/records.h"

namespace llmscope::server {

struct ChartMark {
  std::optional<int64_t> id;  // one violation's; none for a bucket's
  int64_t time_ms = 0;
  spc::Rule rule = spc::Rule::kR1;
  int64_t count = 1;

  friend bool operator==(const ChartMark&, const ChartMark&) = default;
};

// Monitoring-phase violations per (display bucket, rule).
using BucketCounts = std::map<std::pair<size_t, spc::Rule>, int64_t>;

// A display point: its time and the value the chart plots (none for a failed call).
struct DisplayPoint {
  int64_t time_ms = 0;
  std::optional<double> value;
};

// The marks of a window read from rollups, oldest first: `listed` (the newest violations of the
// window, any order; baseline-phase ones left out) each as itself, and each bucket's remaining
// count at the time of its highest point of `points` (the middle of the bucket when it shows
// none).
std::vector<ChartMark> BucketMarks(const DisplayBuckets& buckets, BucketCounts counts,
                                   const std::vector<store::ViolationMark>& listed,
                                   const std::vector<DisplayPoint>& points);

}  // namespace llmscope::server

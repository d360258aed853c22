// Rollups (docs/design.md "Rollups"): per series (source and metric), the aggregates of its
// samples in 1-minute and 1-hour buckets, so that a long window is read as thousands of buckets
// instead of millions of samples. A bucket keeps the count of samples, of failed calls and of
// values; the sum and the sum of squares of the values; and four real points: the smallest and
// the largest value, and the first and the last sample (time, value, id), which are exactly the
// points M4 (server/display_downsample.h) keeps of a display bucket made of whole rollup buckets.
//
// A sample's value for a metric is what a chart of that metric plots (RolledValue): a failed
// call has no latency, throughput or cost, only an error (1). Ties are broken towards the lower
// sample id for first, min and max, towards the higher for last, so the same samples give the
// same rollup whatever the batches they came in (live ingest, or a rebuild in id order).
//
// The stores keep a source's rollups of one bucket in one row (SourceRollup, docs/design.md
// "Rollups"): its metrics share the count, the failed calls and the first and last sample.
//
// Pure: no I/O, no clock. The stores keep them (store.h: AppendSamples, RebuildRollups).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "core/sample.h"

namespace llmscope::store {

// The bucket widths kept, finest first.
inline constexpr int64_t kRollupMinuteMs = 60'000;
inline constexpr int64_t kRollupHourMs = 3'600'000;
inline constexpr std::array<int64_t, 2> kRollupWidthsMs = {kRollupMinuteMs, kRollupHourMs};

// A sample of a bucket: its time, its value (none for a failed call of a latency metric, or a
// metric the call did not report) and its id.
struct RollupPoint {
  int64_t time_ms = 0;
  std::optional<double> value;
  int64_t id = 0;

  friend bool operator==(const RollupPoint&, const RollupPoint&) = default;
};

struct Rollup {
  SeriesKey series;
  int64_t width_ms = kRollupMinuteMs;
  int64_t bucket_ms = 0;  // the bucket's start: a multiple of width_ms
  int64_t count = 0;      // samples
  int64_t errors = 0;     // failed calls
  int64_t value_count = 0;
  double value_sum = 0, value_sum_squares = 0;
  std::optional<RollupPoint> min, max;  // set when value_count > 0
  RollupPoint first, last;

  // Adds one sample's point (a bucket of one when count was 0).
  void Add(const RollupPoint& point, bool error);
  // Adds another rollup of the same series and bucket.
  void Merge(const Rollup& other);

  friend bool operator==(const Rollup&, const Rollup&) = default;
};

// Every metric's rollup of one source and bucket (metrics[m] the rollup of Metric m), as a store
// keeps them in one row. Their count, errors, first and last times and ids are equal.
struct SourceRollup {
  SourceKey source;
  int64_t width_ms = kRollupMinuteMs;
  int64_t bucket_ms = 0;
  std::array<Rollup, kMetricCount> metrics;

  friend bool operator==(const SourceRollup&, const SourceRollup&) = default;
};

// The value of `metric` that a chart of it plots, as above; none for NaN.
std::optional<double> RolledValue(const Sample& sample, Metric metric);

// The start of the bucket of `time_ms` (floor, also for times before the epoch).
int64_t BucketStart(int64_t time_ms, int64_t width_ms);

// The rollups of a set of samples: each source's bucket at every width that a sample touches.
class RollupBuilder {
 public:
  // A stored sample and its id.
  void Add(const Sample& sample, int64_t id);
  bool empty() const { return rollups_.empty(); }
  // The rollups, by source, width and bucket; the builder is then empty.
  std::vector<SourceRollup> Take();

 private:
  using Key = std::tuple<SourceKey, int64_t, int64_t>;  // source, width, bucket
  std::map<Key, SourceRollup> rollups_;
  // The rollup each width touched last: a batch's samples mostly fall in the bucket of the one
  // before, which then needs no search of the map.
  std::array<SourceRollup*, kRollupWidthsMs.size()> last_{};
};

// The aggregate of several rollups (of one series), as the summary of a window needs it.
struct RollupTotals {
  int64_t count = 0, errors = 0, value_count = 0;
  long double value_sum = 0, value_sum_squares = 0;
  std::optional<double> min, max;

  void Add(const Rollup& r);
  std::optional<double> Mean() const;
  // The sample standard deviation (n − 1); none for fewer than two values.
  std::optional<double> StdDev() const;
};

}  // namespace llmscope::store

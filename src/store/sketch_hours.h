// Sketch hours (docs/design.md "Rollups"): per source and closed UTC hour, a QuantileSketch
// (spc/quantile_sketch.h) of each continuous metric's values, built from the hour's samples once
// the hour is over and kept as long as the hour rollups, so that the percentiles of a window read
// from rollups come from its hours' sketches merged (within 1 % of the exact ones) instead of
// from every sample. A metric's values are those its rollups count (rollups.h RolledValue), so
// an hour's sketch counts as many values as the hour rollup's value_count while no sample of the
// hour came after the sketch was built.
//
// Pure: no I/O, no clock. The stores keep them (store.h: PutSketchHours, QuerySketchHours).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/sample.h"
#include "spc/quantile_sketch.h"

namespace llmscope::store {

// The metrics sketched: the continuous ones (the error metric is a proportion).
inline constexpr std::array<Metric, 5> kSketchedMetrics = {
    Metric::kE2eMs, Metric::kTtftMs, Metric::kTpotMs, Metric::kTokensPerS, Metric::kCostUsd};
// The index of `metric` in kSketchedMetrics; nullopt for the error metric.
std::optional<size_t> SketchedIndex(Metric metric);

// One source's sketches of one hour, encoded (QuantileSketch::Encode); a metric without a value
// in the hour has an empty sketch.
struct SketchHour {
  SourceKey source;
  int64_t bucket_ms = 0;  // the hour's start
  std::array<std::string, kSketchedMetrics.size()> sketches;
  friend bool operator==(const SketchHour&, const SketchHour&) = default;
};

// One series' sketch of one hour (QuerySketchHours).
struct SeriesSketchHour {
  int64_t bucket_ms = 0;
  spc::QuantileSketch sketch;
  friend bool operator==(const SeriesSketchHour&, const SeriesSketchHour&) = default;
};

// The sketch hours of a set of samples: each source's hour that a sample touches.
class SketchHourBuilder {
 public:
  void Add(const Sample& sample);
  // The hours, by source and hour; the builder is then empty.
  std::vector<SketchHour> Take();

 private:
  using Sketches = std::array<spc::QuantileSketch, kSketchedMetrics.size()>;
  std::map<std::pair<SourceKey, int64_t>, Sketches> hours_;
};

}  // namespace llmscope::store

#include "store/sketch_hours.h"

#include <algorithm>

#include "store/rollups.h"

namespace llmscope::store {

std::optional<size_t> SketchedIndex(Metric metric) {
  const auto* it = std::find(kSketchedMetrics.begin(), kSketchedMetrics.end(), metric);
  if (it == kSketchedMetrics.end()) return std::nullopt;
  return static_cast<size_t>(it - kSketchedMetrics.begin());
}

void SketchHourBuilder::Add(const Sample& sample) {
  Sketches& sketches =
      hours_[{sample.source, BucketStart(sample.time_ms, kRollupHourMs)}];
  for (size_t i = 0; i < kSketchedMetrics.size(); ++i) {
    if (std::optional<double> v = RolledValue(sample, kSketchedMetrics[i])) sketches[i].Add(*v);
  }
}

std::vector<SketchHour> SketchHourBuilder::Take() {
  std::vector<SketchHour> out;
  out.reserve(hours_.size());
  for (auto& [key, sketches] : hours_) {
    SketchHour& h = out.emplace_back();
    h.source = key.first;
    h.bucket_ms = key.second;
    for (size_t i = 0; i < sketches.size(); ++i) {
      if (!sketches[i].empty()) h.sketches[i] = sketches[i].Encode();
    }
  }
  hours_.clear();
  return out;
}

}  // namespace llmscope::store

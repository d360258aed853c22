#include "store/violation_counts.h"

#include <map>
#include <tuple>

namespace llmscope::store {

std::vector<ViolationCount> CountsOfInserted(std::span<const ViolationRecord* const> inserted) {
  using Key = std::tuple<SeriesKey, spc::Rule, spc::Phase, int64_t, int64_t>;
  std::map<Key, int64_t> counts;
  for (const ViolationRecord* v : inserted) {
    for (int64_t width : kRollupWidthsMs) {
      ++counts[Key{v->series, v->rule, v->phase, width, BucketStart(v->first_time_ms, width)}];
    }
  }
  std::vector<ViolationCount> out;
  out.reserve(counts.size());
  for (const auto& [key, count] : counts) {
    const auto& [series, rule, phase, width, bucket] = key;
    out.push_back(ViolationCount{series, rule, phase, width, bucket, count});
  }
  return out;
}

}  // namespace llmscope::store

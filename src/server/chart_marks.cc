#include "server/chart_marks.h"

#include <algorithm>

namespace llmscope::server {

std::vector<ChartMark> BucketMarks(const DisplayBuckets& buckets, BucketCounts counts,
                                   const std::vector<store::ViolationMark>& listed,
                                   const std::vector<DisplayPoint>& points) {
  std::vector<ChartMark> out;
  for (const store::ViolationMark& v : listed) {
    if (v.phase != spc::Phase::kMonitoring) continue;
    out.push_back(ChartMark{v.id, v.first_time_ms, v.rule, 1});
    auto it = counts.find({buckets.Of(v.first_time_ms), v.rule});
    if (it != counts.end() && it->second > 0) --it->second;
  }
  std::map<size_t, DisplayPoint> highest;  // per display bucket
  for (const DisplayPoint& p : points) {
    if (!p.value) continue;
    auto [it, added] = highest.try_emplace(buckets.Of(p.time_ms), p);
    if (!added && *p.value > *it->second.value) it->second = p;
  }
  for (const auto& [key, count] : counts) {
    if (count <= 0) continue;
    const auto [bucket, rule] = key;
    auto it = highest.find(bucket);
    const int64_t time = it != highest.end() ? it->second.time_ms
                                             : buckets.since_ms +
                                                   static_cast<int64_t>(bucket) * buckets.width_ms +
                                                   buckets.width_ms / 2;
    out.push_back(ChartMark{std::nullopt, time, rule, count});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ChartMark& a, const ChartMark& b) { return a.time_ms < b.time_ms; });
  return out;
}

}  // namespace llmscope::server

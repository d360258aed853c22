#include "server/display_downsample.h"

#include <algorithm>

namespace llmscope::server {

DisplayPoints M4Downsample(std::span<const int64_t> time_ms,
                           std::span<const std::optional<double>> values, int64_t since_ms,
                           int64_t until_ms, size_t max_points, std::span<const size_t> keep) {
  const size_t n = time_ms.size();
  DisplayPoints out;
  if (n <= max_points) {
    out.indices.resize(n);
    for (size_t i = 0; i < n; ++i) out.indices[i] = i;
    return out;
  }
  std::vector<size_t> kept;
  for (size_t k : keep) {
    if (k < n) kept.push_back(k);
  }
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  // The window spans the points even when the request's ends lie beyond them (an open end).
  const int64_t from = std::max(since_ms, time_ms.front());
  const int64_t to = std::max(std::min(until_ms, time_ms.back() + 1), from + 1);
  const size_t room = max_points > kept.size() + 4 ? max_points - kept.size() : 4;
  const int64_t buckets = static_cast<int64_t>(std::max<size_t>(room / 4, 1));
  const int64_t width = std::max<int64_t>((to - from + buckets - 1) / buckets, 1);
  out.downsampled = true;
  out.bucket_ms = width;

  std::vector<size_t> chosen;
  chosen.reserve(static_cast<size_t>(buckets) * 4 + kept.size());
  size_t i = 0;
  while (i < n) {
    const int64_t bucket = (std::clamp(time_ms[i], from, to - 1) - from) / width;
    const size_t first = i;
    size_t last = i;
    std::optional<size_t> lo, hi;
    for (; i < n && (std::clamp(time_ms[i], from, to - 1) - from) / width == bucket; ++i) {
      last = i;
      if (!values[i]) continue;
      if (!lo || *values[i] < *values[*lo]) lo = i;
      if (!hi || *values[i] > *values[*hi]) hi = i;
    }
    chosen.push_back(first);
    if (lo) chosen.push_back(*lo);
    if (hi) chosen.push_back(*hi);
    chosen.push_back(last);
  }
  chosen.insert(chosen.end(), kept.begin(), kept.end());
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  out.indices = std::move(chosen);
  return out;
}

}  // namespace llmscope::server

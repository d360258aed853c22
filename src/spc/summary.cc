#include "spc/summary.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "spc/compensated_sum.h"

namespace llmscope::spc {

double NearestRankPercentile(std::span<const double> sorted, double p) {
  const double n = static_cast<double>(sorted.size());
  // p · n first: exact for whole p and n, so 95 % of 100 points is rank 95, not 96.
  auto rank = static_cast<size_t>(std::ceil(p * n / 100.0));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Summary Summarize(std::span<const double> values, std::span<const uint8_t> failed,
                  std::span<const Firing> firings) {
  Summary s;
  for (const Firing& f : firings) ++s.firings_by_rule[static_cast<size_t>(f.rule)];
  if (!failed.empty()) {
    int64_t errors = 0;
    for (uint8_t f : failed) errors += f != 0;
    s.error_rate = static_cast<double>(errors) / static_cast<double>(failed.size());
  }
  if (values.empty()) return s;

  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  s.count = static_cast<int64_t>(n);
  s.mean = Mean(sorted);
  s.stddev = SampleStdDev(sorted, s.mean);
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  s.p50 = NearestRankPercentile(sorted, 50);
  s.p95 = NearestRankPercentile(sorted, 95);
  s.p99 = NearestRankPercentile(sorted, 99);
  return s;
}

}  // namespace llmscope::spc

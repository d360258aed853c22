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

  // Exact order statistics by selection, not a full sort: O(n) for the few ranks needed.
  std::vector<double> v(values.begin(), values.end());
  const size_t n = v.size();
  auto rank_of = [n](double p) {  // nearest rank, 1-based (see NearestRankPercentile)
    return std::clamp<size_t>(static_cast<size_t>(std::ceil(p * static_cast<double>(n) / 100.0)),
                              1, n);
  };
  std::vector<size_t> wanted = {rank_of(50) - 1, rank_of(95) - 1, rank_of(99) - 1, (n - 1) / 2,
                                n / 2};
  std::sort(wanted.begin(), wanted.end());
  size_t done = 0;  // v[0, done) holds no element greater than those after it
  for (size_t k : wanted) {
    if (k < done) continue;
    std::nth_element(v.begin() + static_cast<std::ptrdiff_t>(done),
                     v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    done = k + 1;
  }
  s.count = static_cast<int64_t>(n);
  s.mean = Mean(v);
  s.stddev = SampleStdDev(v, s.mean);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  s.median = (v[(n - 1) / 2] + v[n / 2]) / 2.0;
  s.p50 = v[rank_of(50) - 1];
  s.p95 = v[rank_of(95) - 1];
  s.p99 = v[rank_of(99) - 1];
  return s;
}

}  // namespace llmscope::spc

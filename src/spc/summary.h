// Summary statistics of a window (docs/spc.md §8).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "spc/firing.h"

namespace llmscope::spc {

struct Summary {
  int64_t count = 0;
  double mean = 0, median = 0, stddev = 0;  // stddev: overall sample σ (n − 1)
  double min = 0, max = 0;
  double p50 = 0, p95 = 0, p99 = 0;  // exact, nearest-rank
  std::optional<double> error_rate;  // failed calls / calls, when calls are known
  std::array<int64_t, kRuleCount> firings_by_rule{};
};

// The nearest-rank percentile of sorted values: the value of rank ⌈p/100 · n⌉ (1-based, at
// least 1). `sorted` must be non-empty; 0 < p ≤ 100.
double NearestRankPercentile(std::span<const double> sorted, double p);

// Summary of `values` (any order); `failed` (one flag per call, may be empty: no error rate)
// and `firings` (may be empty) fill the error rate and the counts per rule. Sums are
// compensated; all fields are 0 for an empty window.
Summary Summarize(std::span<const double> values, std::span<const uint8_t> failed = {},
                  std::span<const Firing> firings = {});

}  // namespace llmscope::spc

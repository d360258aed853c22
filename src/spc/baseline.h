// Baseline estimation (docs/spc.md §3): the center μ̂ and the within-σ̂ of a run of chart-scale
// values.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "core/result.h"

namespace llmscope::spc {

// How σ̂ is estimated from the baseline (docs/spc.md §3).
//   kMrMean   (default) mean moving range / d2, d2 = 1.128 for n = 2
//   kMrMedian median moving range / 0.954, robust to baseline outliers
//   kStdDev   sample standard deviation (n − 1)
enum class SigmaMethod { kMrMean, kMrMedian, kStdDev };

std::optional<SigmaMethod> ParseSigmaMethod(std::string_view name);
std::string_view SigmaMethodName(SigmaMethod m);

inline constexpr double kD2 = 1.128;
inline constexpr double kMedianMrFactor = 0.954;

struct Estimate {
  double mean = 0;
  double sigma = 0;
};

// μ̂ and σ̂ of `y` (already on the chart scale). Needs at least 2 values, else "too_few_points".
// Sums are compensated; the result does not depend on anything but `y` and `method`.
Result<Estimate> EstimateBaseline(std::span<const double> y, SigmaMethod method);

}  // namespace llmscope::spc

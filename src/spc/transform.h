// The value transform of docs/spc.md §2. Charts of right-skewed metrics (latencies) are computed on
// y = ln(x) and their limits shown back in the original unit; `none` charts x itself.
#pragma once

#include <cmath>
#include <optional>
#include <string_view>

namespace llmscope::spc {

enum class Transform { kNone, kLog };

std::optional<Transform> ParseTransform(std::string_view name);
std::string_view TransformName(Transform t);

// True when x may enter a chart with transform t: finite, and > 0 under `log` (docs/spc.md §2).
inline bool IsValidInput(Transform t, double x) {
  return std::isfinite(x) && (t == Transform::kNone || x > 0.0);
}

// x → y. Only defined for IsValidInput(t, x).
inline double ToChartScale(Transform t, double x) {
  return t == Transform::kLog ? std::log(x) : x;
}

// y → x, for showing limits in the original unit.
inline double ToOriginalUnit(Transform t, double y) {
  return t == Transform::kLog ? std::exp(y) : y;
}

}  // namespace llmscope::spc

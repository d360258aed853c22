// Batch analysis of a stored series with one stage: the first B values are its baseline, and
// every value is judged from the window definitions (JudgeStageWindow). Gives exactly the
// firings that streaming the same values through a ControlChart gives.
#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "spc/control_chart.h"

namespace llmscope::spc {

struct SeriesAnalysis {
  Stage stage;
  std::vector<Firing> firings;  // in index order, then rule order
};

// Errors: "invalid_value" (naming the 0-based index), "too_few_points" (fewer than B values).
Result<SeriesAnalysis> AnalyzeBatch(std::span<const double> values, const ChartConfig& config);

}  // namespace llmscope::spc

#include "spc/batch_analysis.h"

#include <string>

#include "spc/window_rules.h"

namespace llmscope::spc {

Result<SeriesAnalysis> AnalyzeBatch(std::span<const double> values, const ChartConfig& config) {
  if (static_cast<int64_t>(values.size()) < config.baseline_size) {
    return Error{"too_few_points", "the baseline needs " + std::to_string(config.baseline_size) +
                                       " points, got " + std::to_string(values.size())};
  }
  std::vector<double> y(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!IsValidInput(config.transform, values[i])) {
      return Error{"invalid_value", "point " + std::to_string(i) + " is not a valid value"};
    }
    y[i] = ToChartScale(config.transform, values[i]);
  }
  auto baseline = std::span<const double>(y).first(static_cast<size_t>(config.baseline_size));
  Result<Estimate> e = EstimateBaseline(baseline, config.sigma_method);
  if (!e) return e.error();

  SeriesAnalysis out;
  out.stage = Stage{0, 0, config.baseline_size, config.transform, config.sigma_method, e->mean,
                    e->sigma};
  const std::vector<RuleMask> fired = JudgeStageWindow(y, config.rules, e->mean, e->sigma);
  for (size_t i = 0; i < y.size(); ++i) {
    if (fired[i] == 0) continue;
    const Phase phase = static_cast<int64_t>(i) < config.baseline_size ? Phase::kBaseline
                                                                       : Phase::kMonitoring;
    AppendFirings(fired[i], static_cast<int64_t>(i), phase, out.stage, values[i], y[i],
                  out.firings);
  }
  return out;
}

}  // namespace llmscope::spc

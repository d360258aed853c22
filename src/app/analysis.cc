#include "app/analysis.h"

#include <string>

namespace llmscope::app {

Result<Analysis> Analyze(std::span<const double> values, const AnalysisRequest& request) {
  const spc::ChartConfig& config = request.chart;
  if (static_cast<int64_t>(values.size()) < config.baseline_size) {
    return Error{"too_few_points", "the baseline needs " + std::to_string(config.baseline_size) +
                                       " points and the series has " +
                                       std::to_string(values.size())};
  }
  // Check every value before judging any, so that a bad file gives no partial answer.
  for (size_t i = 0; i < values.size(); ++i) {
    if (!spc::IsValidInput(config.transform, values[i])) {
      std::string why = config.transform == spc::Transform::kLog
                            ? " is not > 0, which the log transform needs (try --transform none)"
                            : " is not a finite number";
      return Error{"invalid_value",
                   "point " + std::to_string(i) + " (" + std::to_string(values[i]) + ")" + why};
    }
  }
  spc::ControlChart chart(config);
  Analysis a;
  for (double x : values) {
    if (Status s = chart.Observe(x, a.firings); !s) return s.error();
  }
  a.stage = *chart.current_stage();
  a.chart_limits = spc::ChartScaleLimits(a.stage, config.rules.r1_sigma);
  a.original_limits =
      spc::OriginalUnitLimits(a.stage, config.rules.r1_sigma, config.non_negative_metric);
  a.events = spc::GroupIntoEvents(a.firings);
  a.summary = spc::Summarize(values, {}, a.firings);
  if (request.spec.usl || request.spec.lsl) {
    Result<spc::Capability> c = spc::ComputeCapability(values, a.stage, request.spec);
    if (!c) return c.error();
    a.capability = *c;
  }
  return a;
}

}  // namespace llmscope::app

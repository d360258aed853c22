// The analysis behind `llmscope analyze`: one series of values through a ControlChart, exactly
// as the live server would judge it, with its events, summary and capability. Pure: no I/O.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "spc/capability.h"
#include "spc/control_chart.h"
#include "spc/summary.h"
#include "spc/violation_events.h"

namespace llmscope::app {

struct AnalysisRequest {
  spc::ChartConfig chart;
  spc::SpecLimits spec;  // capability is computed when a limit is given
};

struct Analysis {
  spc::Stage stage;
  spc::Limits chart_limits;     // chart scale
  spc::Limits original_limits;  // original unit
  std::vector<spc::Firing> firings;
  std::vector<spc::ViolationEvent> events;
  spc::Summary summary;                      // of every value, original unit
  std::optional<spc::Capability> capability;
};

// Errors: "too_few_points" (fewer values than the baseline), "invalid_value" (naming the
// 0-based index of a value the transform cannot take), "invalid_spec".
Result<Analysis> Analyze(std::span<const double> values, const AnalysisRequest& request);

}  // namespace llmscope::app

// A stage of a control chart (docs/spc.md §3–§4): the frozen μ̂ and σ̂ a run of points is judged by,
// with how they were estimated, and the limits and zones that follow from them.
#pragma once

#include <cstdint>

#include "spc/baseline.h"
#include "spc/transform.h"

namespace llmscope::spc {

struct Stage {
  int number = 0;           // 0 for a series' first stage, then 1, 2, ...
  int64_t start_index = 0;  // series index of the stage's first point
  int baseline_size = 0;    // points μ̂ and σ̂ were estimated from
  Transform transform = Transform::kLog;
  SigmaMethod sigma_method = SigmaMethod::kMrMean;
  double mean = 0;   // μ̂, chart scale
  double sigma = 0;  // σ̂, chart scale

  // σ̂ = 0: a constant baseline. R1 fires on any point that differs from μ̂; R5–R8, EWMA and
  // CUSUM (which need a σ̂) are off until a new stage. R2–R4 do not use σ̂ and stay on.
  bool degenerate() const { return sigma == 0.0; }
};

// Center line, control limits and zone boundaries (docs/spc.md §4).
struct Limits {
  double center = 0;
  double ucl = 0, lcl = 0;            // μ̂ ± kσ̂
  double upper_2s = 0, lower_2s = 0;  // zone A | B boundaries
  double upper_1s = 0, lower_1s = 0;  // zone B | C boundaries
};

// Limits on the chart scale, where the rules work, with UCL/LCL at k σ̂.
Limits ChartScaleLimits(const Stage& stage, double k);

// The same limits in the original unit (exp of each under `log`, so asymmetric around the
// center). Under `none`, for a non-negative metric, a negative boundary is shown as 0.
Limits OriginalUnitLimits(const Stage& stage, double k, bool non_negative_metric);

}  // namespace llmscope::spc

// Process capability against an SLO (docs/spc.md §7), on the chart's scale: spec limits are
// transformed like the values.
#pragma once

#include <optional>
#include <span>

#include "core/result.h"
#include "spc/stage.h"

namespace llmscope::spc {

struct SpecLimits {
  std::optional<double> usl, lsl;  // original unit; usually only an upper one
};

struct Capability {
  std::optional<double> cp, cpk;  // within-σ̂ (the stage's); cp needs both limits
  std::optional<double> pp, ppk;  // overall sample σ of the window; pp needs both limits
  double share_beyond_spec = 0;   // observed share of window points above USL or below LSL
  int64_t n = 0;                  // window points
};

// Capability of a window of values (original unit) judged by `stage`:
//   Cp = (USL − LSL)/(6σ̂), Cpk = min(USL − μ̂, μ̂ − LSL)/(3σ̂), one-sided when one limit is given;
//   Pp, Ppk the same with σ̂ replaced by the window's sample standard deviation (μ̂ stays the
//   stage's center). An index whose σ is 0 is left out. Errors: "invalid_spec" (no limit, a
//   limit the transform cannot take, LSL ≥ USL), "invalid_value" (a value it cannot take).
Result<Capability> ComputeCapability(std::span<const double> values, const Stage& stage,
                                     const SpecLimits& spec);

}  // namespace llmscope::spc

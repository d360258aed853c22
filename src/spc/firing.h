// A firing: one rule satisfied by the window that ends at one point (docs/spc.md §5).
#pragma once

#include <cstdint>
#include <vector>

#include "spc/rule.h"
#include "spc/stage.h"

namespace llmscope::spc {

// kBaseline: found by the Phase I review of a stage's own baseline points; raises no alert.
// kMonitoring: a point judged against frozen limits.
enum class Phase : uint8_t { kBaseline, kMonitoring };

inline const char* PhaseName(Phase p) {
  return p == Phase::kBaseline ? "baseline" : "monitoring";
}

struct Firing {
  int64_t index = 0;  // 0-based index of the point within its series
  Rule rule = Rule::kR1;
  Phase phase = Phase::kMonitoring;
  int stage = 0;         // Stage::number
  double value = 0;      // the point, original unit
  double deviation = 0;  // (y − μ̂)/σ̂ on the chart scale; NaN on a degenerate stage
};

// Appends one Firing per rule in `fired` (in rule order) for the point x (y on the chart scale)
// judged by `stage`.
void AppendFirings(RuleMask fired, int64_t index, Phase phase, const Stage& stage, double x,
                   double y, std::vector<Firing>& out);

}  // namespace llmscope::spc

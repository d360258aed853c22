// Batch evaluation of the rules of docs/spc.md §5 and §6 over a stored run of one stage's points,
// straight from the window definitions: for point i, the last K points ending at i, never
// reaching before the stage's first point. O(K) per point and rule.
//
// It gives exactly the firings of StreamingRuleEvaluator over the same points (the tests hold
// the two against each other); the server uses it to re-judge a stored window of a stage.
#pragma once

#include <span>
#include <vector>

#include "spc/rule.h"

namespace llmscope::spc {

// `y`: the stage's chart-scale values from its first point on. Returns, per point, the rules
// that fire at it. `config` must pass Validate(); σ̂ = 0 keeps only R1–R4, as when streaming.
std::vector<RuleMask> JudgeStageWindow(std::span<const double> y, const RuleConfig& config,
                                       double mean, double sigma);

}  // namespace llmscope::spc

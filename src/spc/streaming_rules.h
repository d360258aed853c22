// Streaming evaluation of every rule of SPC.md §5 and §6 over the points of one stage:
// O(1) time and memory per point and rule, whatever the history length.
//
// One evaluator serves one stage: construct it with the stage's μ̂ and σ̂ and push the stage's
// chart-scale values in order, starting with the stage's first point, so that no window reaches
// back across a stage boundary. Not thread-safe; cheap to copy.
#pragma once

#include <array>
#include <cstdint>

#include "spc/rule.h"

namespace llmscope::spc {

class StreamingRuleEvaluator {
 public:
  // `config` must pass Validate(). σ̂ = 0 (a degenerate stage) keeps only R1–R4 (see Stage).
  StreamingRuleEvaluator(const RuleConfig& config, double mean, double sigma);

  // Judges the next point y (chart scale) and returns the rules that fire at it.
  RuleMask Push(double y);

 private:
  // Per-point flags kept for the m-of-n rules, in a ring of kMaxWindow points.
  enum Flag : uint8_t { kAbove2 = 1, kBelow2 = 2, kAbove1 = 4, kBelow1 = 8 };
  static constexpr int kRing = RuleConfig::kMaxWindow;

  RuleMask active_;
  double mean_, sigma_;
  double r1_limit_;
  int r2_run_, r3_steps_, r4_diffs_, r7_run_, r8_run_;
  int r5_count_, r5_window_, r6_count_, r6_window_;
  double ewma_lambda_, ewma_keep_, ewma_keep_sq_, ewma_width_;  // width = L σ̂ √(λ/(2 − λ))
  double cusum_k_, cusum_h_;

  int64_t n_ = 0;                 // points pushed
  double previous_ = 0;           // the last y
  int side_run_ = 0;              // R2: length of the current same-side run, signed by side
  int trend_steps_ = 0;           // R3: strict steps in the current direction, signed
  int alternating_diffs_ = 0;     // R4: differences in the current alternating chain
  int last_step_sign_ = 0;        // R4: sign of the last difference
  int within1_run_ = 0;           // R7
  int beyond1_run_ = 0;           // R8
  std::array<uint8_t, kRing> flags_{};
  int above2_ = 0, below2_ = 0;   // R5: flags in the last r5_window points
  int above1_ = 0, below1_ = 0;   // R6: flags in the last r6_window points
  double ewma_ = 0, ewma_decay_ = 1;  // z_i and (1 − λ)^{2i}
  double cusum_up_ = 0, cusum_down_ = 0;
};

}  // namespace llmscope::spc

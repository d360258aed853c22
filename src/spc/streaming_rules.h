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
  static constexpr int kRing = RuleConfig::kMaxWindow;

  RuleMask active_;
  double mean_, sigma_;
  double r1_limit_;
  int r2_run_, r3_steps_, r4_diffs_, r7_run_, r8_run_;
  unsigned r5_count_, r6_count_;
  int r5_window_, r6_window_;
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
  unsigned beyond2_counts_ = 0;   // R5: points beyond 2σ̂ in the last r5_window, packed
  unsigned beyond1_counts_ = 0;   // R6: points beyond 1σ̂ in the last r6_window, packed
  double ewma_ = 0, ewma_decay_ = 1;  // z_i and (1 − λ)^{2i}
  double ewma_limit_ = 0;             // L σ̂ √(λ/(2 − λ) · (1 − (1 − λ)^{2i}))
  double cusum_up_ = 0, cusum_down_ = 0;
};

}  // namespace llmscope::spc

// Streaming evaluation of every rule of docs/spc.md §5 and §6 over the points of one stage:
// O(1) time and memory per point and rule, whatever the history length.
//
// One evaluator serves one stage: construct it with the stage's μ̂ and σ̂ and push the stage's
// chart-scale values in order, starting with the stage's first point, so that no window reaches
// back across a stage boundary. Not thread-safe; cheap to copy.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "spc/rule.h"

namespace llmscope::spc {

class StreamingRuleEvaluator {
 public:
  // `config` must pass Validate(). σ̂ = 0 (a degenerate stage) keeps only R1–R4 (see Stage).
  StreamingRuleEvaluator(const RuleConfig& config, double mean, double sigma);

  // Judges the next point y (chart scale) and returns the rules that fire at it.
  RuleMask Push(double y);

  // Judges the points after this call by `config` (valid), the stage's μ̂ and σ̂ kept. Every
  // rule's state is computed whether the rule is enabled or not, so R1–R4, R7 and R8 judge the
  // next point as if `config` had held since the stage began, and so do R5 and R6 (their
  // windows are recounted from the kept flags of the last kMaxWindow points); EWMA and CUSUM
  // go on from their current statistic with the new λ, L, k, h (docs/spc.md §3, "Changing the
  // rules or the alarm budget within a stage").
  void SetRules(const RuleConfig& config);

  // Judges y[0], y[1], ... in order, as Push would, writing the rules that fire at y[i] to
  // fired[i] (fired.size() ≥ y.size()). Faster per point: the state stays in registers.
  void PushAll(std::span<const double> y, std::span<RuleMask> fired);

 private:
  static constexpr int kRing = RuleConfig::kMaxWindow;

  // What the stage fixes.
  struct Params {
    RuleMask active;
    double mean, sigma;
    double r1_limit;
    int r2_run, r3_steps, r4_diffs, r7_run, r8_run;
    unsigned r5_count, r6_count;
    int r5_window, r6_window;
    double ewma_lambda, ewma_keep, ewma_keep_sq, ewma_width;  // width = L σ̂ √(λ/(2 − λ))
    double cusum_k, cusum_h;
  };
  // What each point changes.
  struct State {
    int64_t n = 0;                    // points pushed
    double previous = 0;              // the last y
    int side_run = 0;                 // R2: length of the current same-side run, signed by side
    int trend_steps = 0;              // R3: strict steps in the current direction, signed
    int alternating_diffs = 0;        // R4: differences in the current alternating chain
    int last_step_sign = 0;           // R4: sign of the last difference
    int within1_run = 0;              // R7
    int beyond1_run = 0;              // R8
    unsigned beyond2_counts = 0;      // R5: points beyond 2σ̂ in the last r5_window, packed
    unsigned beyond1_counts = 0;      // R6: points beyond 1σ̂ in the last r6_window, packed
    double ewma = 0, ewma_decay = 1;  // z_i and (1 − λ)^{2i}
    double ewma_limit = 0;            // L σ̂ √(λ/(2 − λ) · (1 − (1 − λ)^{2i}))
    double cusum_up = 0, cusum_down = 0;
    std::array<uint8_t, kRing> flags{};  // per-point flags of the m-of-n rules (R5, R6)
  };

  static Params ParamsOf(const RuleConfig& config, double mean, double sigma);

  // One point: the single definition of the rules that Push and PushAll share.
  static RuleMask Step(const Params& p, State& s, double y);

  Params params_;
  State state_;
};

}  // namespace llmscope::spc

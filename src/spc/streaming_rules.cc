#include "spc/streaming_rules.h"

#include <cmath>

namespace llmscope::spc {
namespace {

constexpr RuleMask kSigmaFreeRules =
    Bit(Rule::kR1) | Bit(Rule::kR2) | Bit(Rule::kR3) | Bit(Rule::kR4);

constexpr int Sign(double v) { return (v > 0) - (v < 0); }

}  // namespace

StreamingRuleEvaluator::StreamingRuleEvaluator(const RuleConfig& c, double mean, double sigma)
    : active_(sigma == 0.0 ? static_cast<RuleMask>(c.enabled & kSigmaFreeRules) : c.enabled),
      mean_(mean),
      sigma_(sigma),
      r1_limit_(c.r1_sigma * sigma),
      r2_run_(c.r2_run),
      r3_steps_(c.r3_run - 1),
      r4_diffs_(c.r4_run - 1),
      r7_run_(c.r7_run),
      r8_run_(c.r8_run),
      r5_count_(c.r5_count),
      r5_window_(c.r5_window),
      r6_count_(c.r6_count),
      r6_window_(c.r6_window),
      ewma_lambda_(c.ewma_lambda),
      ewma_keep_(1.0 - c.ewma_lambda),
      ewma_keep_sq_((1.0 - c.ewma_lambda) * (1.0 - c.ewma_lambda)),
      ewma_width_(c.ewma_l * sigma * std::sqrt(c.ewma_lambda / (2.0 - c.ewma_lambda))),
      cusum_k_(c.cusum_k),
      cusum_h_(c.cusum_h),
      ewma_(mean) {}

RuleMask StreamingRuleEvaluator::Push(double y) {
  const double d = y - mean_;
  const double ad = std::fabs(d);
  const int side = Sign(d);
  RuleMask fired = 0;

  // R1 (§5): a point beyond kσ̂, strictly.
  if (ad > r1_limit_) fired |= Bit(Rule::kR1);

  // R2: a run on one side of the center; a point on the center breaks it.
  if (side == 0) {
    side_run_ = 0;
  } else if (Sign(side_run_) == side) {
    side_run_ += side;
  } else {
    side_run_ = side;
  }
  if (side_run_ >= r2_run_ || -side_run_ >= r2_run_) fired |= Bit(Rule::kR2);

  // R3 and R4 look at differences, which start with the stage's second point.
  if (n_ > 0) {
    const int step = Sign(y - previous_);
    // R3: strict steps in one direction; a zero step breaks the trend.
    if (step == 0) {
      trend_steps_ = 0;
    } else if (Sign(trend_steps_) == step) {
      trend_steps_ += step;
    } else {
      trend_steps_ = step;
    }
    if (trend_steps_ >= r3_steps_ || -trend_steps_ >= r3_steps_) fired |= Bit(Rule::kR3);

    // R4: differences alternating in sign; a zero difference breaks the chain.
    if (step == 0) {
      alternating_diffs_ = 0;
    } else if (step == -last_step_sign_) {
      ++alternating_diffs_;
    } else {
      alternating_diffs_ = 1;
    }
    last_step_sign_ = step;
    if (alternating_diffs_ >= r4_diffs_) fired |= Bit(Rule::kR4);
  }
  previous_ = y;

  // R5, R6: m of the last n points beyond 2σ̂ (1σ̂) on one side, point i among them; the
  // window must be complete. Counts slide over a ring of per-point flags.
  const uint8_t flag = static_cast<uint8_t>((d > 2 * sigma_ ? kAbove2 : 0) |
                                            (d < -2 * sigma_ ? kBelow2 : 0) |
                                            (d > sigma_ ? kAbove1 : 0) | (d < -sigma_ ? kBelow1 : 0));
  if (n_ >= r5_window_) {
    const uint8_t out = flags_[(n_ - r5_window_) % kRing];
    above2_ -= (out & kAbove2) != 0;
    below2_ -= (out & kBelow2) != 0;
  }
  if (n_ >= r6_window_) {
    const uint8_t out = flags_[(n_ - r6_window_) % kRing];
    above1_ -= (out & kAbove1) != 0;
    below1_ -= (out & kBelow1) != 0;
  }
  flags_[n_ % kRing] = flag;
  above2_ += (flag & kAbove2) != 0;
  below2_ += (flag & kBelow2) != 0;
  above1_ += (flag & kAbove1) != 0;
  below1_ += (flag & kBelow1) != 0;
  if (n_ + 1 >= r5_window_ && (((flag & kAbove2) && above2_ >= r5_count_) ||
                               ((flag & kBelow2) && below2_ >= r5_count_))) {
    fired |= Bit(Rule::kR5);
  }
  if (n_ + 1 >= r6_window_ && (((flag & kAbove1) && above1_ >= r6_count_) ||
                               ((flag & kBelow1) && below1_ >= r6_count_))) {
    fired |= Bit(Rule::kR6);
  }

  // R7: a run within 1σ̂ (|d| ≤ σ̂). R8: a run beyond 1σ̂ on either side.
  within1_run_ = ad <= sigma_ ? within1_run_ + 1 : 0;
  beyond1_run_ = ad > sigma_ ? beyond1_run_ + 1 : 0;
  if (within1_run_ >= r7_run_) fired |= Bit(Rule::kR7);
  if (beyond1_run_ >= r8_run_) fired |= Bit(Rule::kR8);

  // EWMA (§6): z_i = λ y_i + (1 − λ) z_{i−1}, limits widening with (1 − (1 − λ)^{2i}).
  ewma_ = ewma_lambda_ * y + ewma_keep_ * ewma_;
  ewma_decay_ *= ewma_keep_sq_;
  if (std::fabs(ewma_ - mean_) > ewma_width_ * std::sqrt(1.0 - ewma_decay_)) fired |= Bit(Rule::kEwma);

  // CUSUM (§6): one-sided sums of standardized deviations beyond k; both reset after firing.
  if (sigma_ > 0) {
    const double z = d / sigma_;
    cusum_up_ = std::fmax(0.0, cusum_up_ + z - cusum_k_);
    cusum_down_ = std::fmax(0.0, cusum_down_ - z - cusum_k_);
    if (cusum_up_ > cusum_h_ || cusum_down_ > cusum_h_) {
      fired |= Bit(Rule::kCusum);
      cusum_up_ = cusum_down_ = 0;
    }
  }

  ++n_;
  return fired & active_;
}

}  // namespace llmscope::spc

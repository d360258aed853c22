#include "spc/streaming_rules.h"

#include <cmath>
#include <cstdlib>

namespace llmscope::spc {
namespace {

constexpr RuleMask kSigmaFreeRules =
    Bit(Rule::kR1) | Bit(Rule::kR2) | Bit(Rule::kR3) | Bit(Rule::kR4);

constexpr int Sign(double v) { return (v > 0) - (v < 0); }

// Per-point flags kept for the m-of-n rules (R5, R6), in a ring of kMaxWindow points.
constexpr unsigned kAbove2 = 1, kBelow2 = 2, kAbove1 = 4, kBelow1 = 8;

// Packed counts of one point's flags: above in the low byte, below in the next.
constexpr unsigned Beyond2Count(unsigned flag) {
  return (flag & kAbove2 ? 1u : 0u) | (flag & kBelow2 ? 0x100u : 0u);
}
constexpr unsigned Beyond1Count(unsigned flag) {
  return (flag & kAbove1 ? 1u : 0u) | (flag & kBelow1 ? 0x100u : 0u);
}

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
      r5_count_(static_cast<unsigned>(c.r5_count)),
      r6_count_(static_cast<unsigned>(c.r6_count)),
      r5_window_(c.r5_window),
      r6_window_(c.r6_window),
      ewma_lambda_(c.ewma_lambda),
      ewma_keep_(1.0 - c.ewma_lambda),
      ewma_keep_sq_((1.0 - c.ewma_lambda) * (1.0 - c.ewma_lambda)),
      ewma_width_(c.ewma_l * sigma * std::sqrt(c.ewma_lambda / (2.0 - c.ewma_lambda))),
      cusum_k_(c.cusum_k),
      cusum_h_(c.cusum_h),
      ewma_(mean) {}

RuleMask StreamingRuleEvaluator::Push(double y) {
  // Written to compile to few branches: a random series makes most run tests unpredictable.
  const double d = y - mean_;
  const double ad = std::fabs(d);
  const int side = Sign(d);
  RuleMask fired = 0;

  // R1 (§5): a point beyond kσ̂, strictly.
  fired |= ad > r1_limit_ ? Bit(Rule::kR1) : 0;

  // R2: a run on one side of the center; a point on the center (side 0) breaks it.
  side_run_ = side != 0 && Sign(side_run_) == side ? side_run_ + side : side;
  fired |= std::abs(side_run_) >= r2_run_ ? Bit(Rule::kR2) : 0;

  // R3 and R4 look at differences, which start with the stage's second point.
  if (n_ > 0) {
    const int step = Sign(y - previous_);
    // R3: strict steps in one direction; a zero step breaks the trend.
    trend_steps_ = step != 0 && Sign(trend_steps_) == step ? trend_steps_ + step : step;
    fired |= std::abs(trend_steps_) >= r3_steps_ ? Bit(Rule::kR3) : 0;
    // R4: differences alternating in sign; a zero difference breaks the chain.
    alternating_diffs_ = step == 0 ? 0 : (step == -last_step_sign_ ? alternating_diffs_ + 1 : 1);
    last_step_sign_ = step;
    fired |= alternating_diffs_ >= r4_diffs_ ? Bit(Rule::kR4) : 0;
  }
  previous_ = y;

  // R5, R6: m of the last n points beyond 2σ̂ (1σ̂) on one side, point i among them; the
  // window must be complete. Counts slide over a ring of per-point flags.
  const unsigned flag = (d > 2 * sigma_ ? kAbove2 : 0u) | (d < -2 * sigma_ ? kBelow2 : 0u) |
                        (d > sigma_ ? kAbove1 : 0u) | (d < -sigma_ ? kBelow1 : 0u);
  // Each pair of side counts is packed in one integer (above in the low byte, below in the
  // next; windows are at most 64 points): two scalar adds per point, where four separate
  // counters invite the compiler to vectorize them into a stall on store forwarding.
  const uint64_t n = static_cast<uint64_t>(n_);
  const unsigned out5 = n_ >= r5_window_ ? flags_[(n - r5_window_) % kRing] : 0u;
  const unsigned out6 = n_ >= r6_window_ ? flags_[(n - r6_window_) % kRing] : 0u;
  flags_[n % kRing] = static_cast<uint8_t>(flag);
  beyond2_counts_ += Beyond2Count(flag) - Beyond2Count(out5);
  beyond1_counts_ += Beyond1Count(flag) - Beyond1Count(out6);
  const unsigned above2 = beyond2_counts_ & 0xFF, below2 = beyond2_counts_ >> 8;
  const unsigned above1 = beyond1_counts_ & 0xFF, below1 = beyond1_counts_ >> 8;
  const bool r5 = ((flag & kAbove2) && above2 >= r5_count_) ||
                  ((flag & kBelow2) && below2 >= r5_count_);
  const bool r6 = ((flag & kAbove1) && above1 >= r6_count_) ||
                  ((flag & kBelow1) && below1 >= r6_count_);
  fired |= r5 && n_ + 1 >= r5_window_ ? Bit(Rule::kR5) : 0;
  fired |= r6 && n_ + 1 >= r6_window_ ? Bit(Rule::kR6) : 0;

  // R7: a run within 1σ̂ (|d| ≤ σ̂). R8: a run beyond 1σ̂ on either side.
  const bool within1 = ad <= sigma_;
  within1_run_ = within1 ? within1_run_ + 1 : 0;
  beyond1_run_ = within1 ? 0 : beyond1_run_ + 1;
  fired |= within1_run_ >= r7_run_ ? Bit(Rule::kR7) : 0;
  fired |= beyond1_run_ >= r8_run_ ? Bit(Rule::kR8) : 0;

  // EWMA (§6): z_i = λ y_i + (1 − λ) z_{i−1}, limits widening with (1 − (1 − λ)^{2i}). Once
  // (1 − λ)^{2i} is below 2^-54, 1 − it is exactly 1 in double, so the limit stops changing and
  // the square root is skipped (the result is bit-identical to computing it).
  ewma_ = ewma_lambda_ * y + ewma_keep_ * ewma_;
  if (ewma_decay_ != 0) {
    ewma_decay_ *= ewma_keep_sq_;
    ewma_limit_ = ewma_width_ * std::sqrt(1.0 - ewma_decay_);
    if (ewma_decay_ < 1e-17) ewma_decay_ = 0;
  }
  fired |= std::fabs(ewma_ - mean_) > ewma_limit_ ? Bit(Rule::kEwma) : 0;

  // CUSUM (§6): one-sided sums of standardized deviations beyond k; both reset after firing.
  // σ̂ = 0 makes z undefined; CUSUM is off on such a stage (active_ masks it).
  const double z = sigma_ > 0 ? d / sigma_ : 0.0;
  cusum_up_ = PositivePart(cusum_up_ + z - cusum_k_);
  cusum_down_ = PositivePart(cusum_down_ - z - cusum_k_);
  if (cusum_up_ > cusum_h_ || cusum_down_ > cusum_h_) {
    fired |= Bit(Rule::kCusum);
    cusum_up_ = cusum_down_ = 0;
  }

  ++n_;
  return fired & active_;
}

}  // namespace llmscope::spc

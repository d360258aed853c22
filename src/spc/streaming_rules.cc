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

StreamingRuleEvaluator::Params StreamingRuleEvaluator::ParamsOf(const RuleConfig& c, double mean,
                                                                double sigma) {
  return Params{sigma == 0.0 ? static_cast<RuleMask>(c.enabled & kSigmaFreeRules) : c.enabled,
                mean,
                sigma,
                c.r1_sigma * sigma,
                c.r2_run,
                c.r3_run - 1,
                c.r4_run - 1,
                c.r7_run,
                c.r8_run,
                static_cast<unsigned>(c.r5_count),
                static_cast<unsigned>(c.r6_count),
                c.r5_window,
                c.r6_window,
                c.ewma_lambda,
                1.0 - c.ewma_lambda,
                (1.0 - c.ewma_lambda) * (1.0 - c.ewma_lambda),
                c.ewma_l * sigma * std::sqrt(c.ewma_lambda / (2.0 - c.ewma_lambda)),
                c.cusum_k,
                c.cusum_h};
}

StreamingRuleEvaluator::StreamingRuleEvaluator(const RuleConfig& c, double mean, double sigma)
    : params_(ParamsOf(c, mean, sigma)) {
  state_.ewma = mean;
}

void StreamingRuleEvaluator::SetRules(const RuleConfig& c) {
  const Params before = params_;
  params_ = ParamsOf(c, params_.mean, params_.sigma);
  // The m-of-n counts over the new windows, from the flags of the points they cover.
  state_.beyond2_counts = state_.beyond1_counts = 0;
  const int64_t n = state_.n;
  for (int64_t back = 1; back <= n && back <= kRing; ++back) {
    const unsigned flag = state_.flags[static_cast<uint64_t>(n - back) % kRing];
    if (back <= params_.r5_window) state_.beyond2_counts += Beyond2Count(flag);
    if (back <= params_.r6_window) state_.beyond1_counts += Beyond1Count(flag);
  }
  // The EWMA's limit follows a new λ or L at the points judged so far.
  if (params_.ewma_lambda == before.ewma_lambda && params_.ewma_width == before.ewma_width) return;
  state_.ewma_decay = std::pow(params_.ewma_keep_sq, static_cast<double>(state_.n));
  state_.ewma_limit = params_.ewma_width * std::sqrt(1.0 - state_.ewma_decay);
  if (state_.ewma_decay < 1e-17) state_.ewma_decay = 0;
}

RuleMask StreamingRuleEvaluator::Push(double y) { return Step(params_, state_, y); }

void StreamingRuleEvaluator::PushAll(std::span<const double> y, std::span<RuleMask> fired) {
  State s = state_;
  for (size_t i = 0; i < y.size(); ++i) fired[i] = Step(params_, s, y[i]);
  state_ = s;
}

// Written to compile to few branches: a random series makes most run tests unpredictable.
inline RuleMask StreamingRuleEvaluator::Step(const Params& p, State& s, double y) {
  const double d = y - p.mean;
  const double ad = std::fabs(d);
  const int side = Sign(d);
  RuleMask fired = 0;

  // R1 (§5): a point beyond kσ̂, strictly.
  fired |= ad > p.r1_limit ? Bit(Rule::kR1) : 0;

  // R2: a run on one side of the center; a point on the center (side 0) breaks it.
  s.side_run = side != 0 && Sign(s.side_run) == side ? s.side_run + side : side;
  fired |= std::abs(s.side_run) >= p.r2_run ? Bit(Rule::kR2) : 0;

  // R3 and R4 look at differences, which start with the stage's second point.
  if (s.n > 0) {
    const int step = Sign(y - s.previous);
    // R3: strict steps in one direction; a zero step breaks the trend.
    s.trend_steps = step != 0 && Sign(s.trend_steps) == step ? s.trend_steps + step : step;
    fired |= std::abs(s.trend_steps) >= p.r3_steps ? Bit(Rule::kR3) : 0;
    // R4: differences alternating in sign; a zero difference breaks the chain.
    s.alternating_diffs =
        step == 0 ? 0 : (step == -s.last_step_sign ? s.alternating_diffs + 1 : 1);
    s.last_step_sign = step;
    fired |= s.alternating_diffs >= p.r4_diffs ? Bit(Rule::kR4) : 0;
  }
  s.previous = y;

  // R5, R6: m of the last n points beyond 2σ̂ (1σ̂) on one side, point i among them; the
  // window must be complete. Counts slide over a ring of per-point flags; each pair of side
  // counts is packed in one integer (above in the low byte, below in the next; windows are at
  // most 64 points), where four separate counters invite the compiler to vectorize them into a
  // stall on store forwarding.
  const unsigned flag = (d > 2 * p.sigma ? kAbove2 : 0u) | (d < -2 * p.sigma ? kBelow2 : 0u) |
                        (d > p.sigma ? kAbove1 : 0u) | (d < -p.sigma ? kBelow1 : 0u);
  const uint64_t n = static_cast<uint64_t>(s.n);
  const unsigned out5 = s.n >= p.r5_window ? s.flags[(n - p.r5_window) % kRing] : 0u;
  const unsigned out6 = s.n >= p.r6_window ? s.flags[(n - p.r6_window) % kRing] : 0u;
  s.flags[n % kRing] = static_cast<uint8_t>(flag);
  s.beyond2_counts += Beyond2Count(flag) - Beyond2Count(out5);
  s.beyond1_counts += Beyond1Count(flag) - Beyond1Count(out6);
  const unsigned above2 = s.beyond2_counts & 0xFF, below2 = s.beyond2_counts >> 8;
  const unsigned above1 = s.beyond1_counts & 0xFF, below1 = s.beyond1_counts >> 8;
  const bool r5 = ((flag & kAbove2) && above2 >= p.r5_count) ||
                  ((flag & kBelow2) && below2 >= p.r5_count);
  const bool r6 = ((flag & kAbove1) && above1 >= p.r6_count) ||
                  ((flag & kBelow1) && below1 >= p.r6_count);
  fired |= r5 && s.n + 1 >= p.r5_window ? Bit(Rule::kR5) : 0;
  fired |= r6 && s.n + 1 >= p.r6_window ? Bit(Rule::kR6) : 0;

  // R7: a run within 1σ̂ (|d| ≤ σ̂). R8: a run beyond 1σ̂ on either side.
  const bool within1 = ad <= p.sigma;
  s.within1_run = within1 ? s.within1_run + 1 : 0;
  s.beyond1_run = within1 ? 0 : s.beyond1_run + 1;
  fired |= s.within1_run >= p.r7_run ? Bit(Rule::kR7) : 0;
  fired |= s.beyond1_run >= p.r8_run ? Bit(Rule::kR8) : 0;

  // EWMA (§6): z_i = λ y_i + (1 − λ) z_{i−1}, limits widening with (1 − (1 − λ)^{2i}). Once
  // (1 − λ)^{2i} is below 2^-54, 1 − it is exactly 1 in double, so the limit stops changing and
  // the square root is skipped (the result is bit-identical to computing it).
  s.ewma = p.ewma_lambda * y + p.ewma_keep * s.ewma;
  if (s.ewma_decay != 0) {
    s.ewma_decay *= p.ewma_keep_sq;
    s.ewma_limit = p.ewma_width * std::sqrt(1.0 - s.ewma_decay);
    if (s.ewma_decay < 1e-17) s.ewma_decay = 0;
  }
  fired |= std::fabs(s.ewma - p.mean) > s.ewma_limit ? Bit(Rule::kEwma) : 0;

  // CUSUM (§6): one-sided sums of standardized deviations beyond k; both reset after firing.
  // σ̂ = 0 makes z undefined; CUSUM is off on such a stage (active masks it).
  const double z = p.sigma > 0 ? d / p.sigma : 0.0;
  s.cusum_up = PositivePart(s.cusum_up + z - p.cusum_k);
  s.cusum_down = PositivePart(s.cusum_down - z - p.cusum_k);
  if (s.cusum_up > p.cusum_h || s.cusum_down > p.cusum_h) {
    fired |= Bit(Rule::kCusum);
    s.cusum_up = s.cusum_down = 0;
  }

  ++s.n;
  return fired & p.active;
}

}  // namespace llmscope::spc

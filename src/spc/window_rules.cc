#include "spc/window_rules.h"

#include <cmath>
#include <functional>

namespace llmscope::spc {
namespace {

using Points = std::span<const double>;

// True when point i closes a complete window of `length` points that all satisfy `test`.
bool AllInWindow(size_t i, int length, const std::function<bool(size_t)>& test) {
  if (i + 1 < static_cast<size_t>(length)) return false;
  for (size_t j = i + 1 - length; j <= i; ++j) {
    if (!test(j)) return false;
  }
  return true;
}

// m of the `window` points ending at i beyond `threshold` σ̂ on one side, point i among them.
bool CountBeyondOnOneSide(Points y, size_t i, int count, int window, double mean, double limit) {
  if (i + 1 < static_cast<size_t>(window)) return false;
  const double di = y[i] - mean;
  const int side = di > limit ? 1 : (di < -limit ? -1 : 0);
  if (side == 0) return false;
  int same = 0;
  for (size_t j = i + 1 - window; j <= i; ++j) {
    const double d = y[j] - mean;
    same += side > 0 ? d > limit : d < -limit;
  }
  return same >= count;
}

}  // namespace

std::vector<RuleMask> JudgeStageWindow(Points y, const RuleConfig& c, double mean, double sigma) {
  const RuleMask sigma_free = Bit(Rule::kR1) | Bit(Rule::kR2) | Bit(Rule::kR3) | Bit(Rule::kR4);
  const RuleMask active = sigma == 0.0 ? static_cast<RuleMask>(c.enabled & sigma_free) : c.enabled;
  auto dev = [&](size_t j) { return y[j] - mean; };
  auto step = [&](size_t j) { return y[j] - y[j - 1]; };  // j ≥ 1

  std::vector<RuleMask> out(y.size(), 0);
  double ewma = mean, ewma_decay = 1;
  const double ewma_width = c.ewma_l * sigma * std::sqrt(c.ewma_lambda / (2.0 - c.ewma_lambda));
  const double keep = 1.0 - c.ewma_lambda;
  double cusum_up = 0, cusum_down = 0;

  for (size_t i = 0; i < y.size(); ++i) {
    RuleMask m = 0;
    if (std::fabs(dev(i)) > c.r1_sigma * sigma) m |= Bit(Rule::kR1);

    if (AllInWindow(i, c.r2_run, [&](size_t j) { return dev(j) > 0; }) ||
        AllInWindow(i, c.r2_run, [&](size_t j) { return dev(j) < 0; })) {
      m |= Bit(Rule::kR2);
    }
    // R3: K points, so K − 1 steps, all in one direction; the window's first point has no step
    // inside the window, hence the test starts one point later.
    auto steps_all = [&](auto&& test) {
      if (i + 1 < static_cast<size_t>(c.r3_run)) return false;
      for (size_t j = i + 2 - c.r3_run; j <= i; ++j) {
        if (!test(step(j))) return false;
      }
      return true;
    };
    if (steps_all([](double s) { return s > 0; }) || steps_all([](double s) { return s < 0; })) {
      m |= Bit(Rule::kR3);
    }
    // R4: K − 1 differences, none zero, each the opposite sign of the one before.
    if (i + 1 >= static_cast<size_t>(c.r4_run)) {
      bool alternating = true;
      for (size_t j = i + 2 - c.r4_run; j <= i && alternating; ++j) {
        if (step(j) == 0) alternating = false;
        if (j > i + 2 - c.r4_run && !((step(j) > 0) != (step(j - 1) > 0))) alternating = false;
      }
      if (alternating) m |= Bit(Rule::kR4);
    }
    if (CountBeyondOnOneSide(y, i, c.r5_count, c.r5_window, mean, 2 * sigma)) m |= Bit(Rule::kR5);
    if (CountBeyondOnOneSide(y, i, c.r6_count, c.r6_window, mean, sigma)) m |= Bit(Rule::kR6);
    if (AllInWindow(i, c.r7_run, [&](size_t j) { return std::fabs(dev(j)) <= sigma; })) {
      m |= Bit(Rule::kR7);
    }
    if (AllInWindow(i, c.r8_run, [&](size_t j) { return std::fabs(dev(j)) > sigma; })) {
      m |= Bit(Rule::kR8);
    }

    // EWMA and CUSUM are recursive by definition (docs/spc.md §6).
    ewma = c.ewma_lambda * y[i] + keep * ewma;
    ewma_decay *= keep * keep;
    if (std::fabs(ewma - mean) > ewma_width * std::sqrt(1.0 - ewma_decay)) m |= Bit(Rule::kEwma);
    if (sigma > 0) {
      const double z = dev(i) / sigma;
      cusum_up = PositivePart(cusum_up + z - c.cusum_k);
      cusum_down = PositivePart(cusum_down - z - c.cusum_k);
      if (cusum_up > c.cusum_h || cusum_down > c.cusum_h) {
        m |= Bit(Rule::kCusum);
        cusum_up = cusum_down = 0;
      }
    }
    out[i] = m & active;
  }
  return out;
}

}  // namespace llmscope::spc

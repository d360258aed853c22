// The design arithmetic of the alarm detectors (docs/spc.md §9): Markov-chain run lengths
// against published tables, hand-worked chains and simulation; thresholds that meet a budget.
#include "spc/alarm_design.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace llmscope::spc {
namespace {

TEST(AlarmDesign, NormalAndChiSquareQuantiles) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(NormalQuantile(0.9), 1.281551566, 1e-8);
  EXPECT_NEAR(NormalQuantile(1e-7), -5.199337582, 1e-6);
  EXPECT_NEAR(NormalCdf(NormalQuantile(0.3)), 0.3, 1e-12);
  // χ²(0.10; 39) = 28.196, χ²(0.90; 10) = 15.987 (tables); Wilson–Hilferty within 0.3 %.
  EXPECT_NEAR(ChiSquareQuantile(0.10, 39), 28.196, 0.1);
  EXPECT_NEAR(ChiSquareQuantile(0.90, 10), 15.987, 0.05);
}

TEST(AlarmDesign, CusumRunLengthsMatchPublishedTables) {
  // One-sided CUSUM, k = 0.5: ARL₀ = 336 (h = 4) and 930 (h = 5), twice the two-sided 168 and 465
  // of Montgomery's Table 9.3; ARL at a 1σ shift 8.38 and 10.4 (same table).
  EXPECT_NEAR(ShiftArl({0.5, 4}, {0, 1}), 336, 336 * 0.01);
  EXPECT_NEAR(ShiftArl({0.5, 5}, {0, 1}), 930, 930 * 0.01);
  EXPECT_NEAR(ShiftArl({0.5, 4}, {1, 1}), 8.38, 0.05);
  EXPECT_NEAR(ShiftArl({0.5, 5}, {1, 1}), 10.4, 0.05);
}

// Mean run length of `scheme` over `runs` simulated runs of z ~ N(model).
double SimulatedArl(const ShiftScheme& s, NormalModel model, int runs, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(model.mean, model.sd);
  double total = 0;
  for (int r = 0; r < runs; ++r) {
    double cusum = 0;
    int64_t n = 0;
    while (true) {
      ++n;
      const double x = z(rng);
      cusum = std::max(0.0, cusum + std::min(x - s.k, s.clip));
      if (cusum >= s.h) break;
    }
    total += static_cast<double>(n);
  }
  return total / runs;
}

TEST(AlarmDesign, ClippedSchemeRunLengthsMatchSimulation) {
  // Clipped increments, in and out of control, with a guard-like model: the chain and 4000
  // simulated runs agree within 5 % (the simulation's own error is about 1.6 %).
  const ShiftScheme s{1.2, 3.0, 1.5};
  for (NormalModel m : {NormalModel{0, 1}, NormalModel{0.4, 1.2}, NormalModel{2.0, 1}}) {
    const double chain = ShiftArl(s, m);
    const double sim = SimulatedArl(s, m, 4000, 7);
    EXPECT_NEAR(sim / chain, 1.0, 0.05) << "mean " << m.mean << " chain " << chain;
  }
}

TEST(AlarmDesign, ThresholdMeetsItsTarget) {
  ShiftScheme s{0.8, 0, 0};
  const double h = ShiftThresholdFor(5000, s, 0.5, {0.2, 1.1});
  s.h = h;
  s.clip = 0.5 * h;
  EXPECT_GE(ShiftArl(s, {0.2, 1.1}), 5000);
  s.h = h - 0.01;
  s.clip = 0.5 * s.h;
  EXPECT_LT(ShiftArl(s, {0.2, 1.1}), 5000);
}

TEST(AlarmDesign, BernoulliChainsWorkedByHand) {
  // up = 1, h = 2, p = ½: L₀ = 1 + ½L₀ + ½L₁, L₁ = 1 + ½L₀ → L₀ = 6.
  EXPECT_NEAR(BernoulliArl({1, 2}, 0.5), 6.0, 1e-9);
  // h = 3: L₂ = 1 + ½L₁, L₁ = 1 + ½L₀ + ½L₂, L₀ = 1 + ½L₀ + ½L₁ → L₀ = 12.
  EXPECT_NEAR(BernoulliArl({1, 3}, 0.5), 12.0, 1e-9);
  EXPECT_TRUE(std::isinf(BernoulliArl({5, 10}, 0)));
  // ln(0.05/0.005) / ln(0.995/0.95) = 2.303 / 0.0463 = 49.7 → 50.
  EXPECT_EQ(BernoulliSchemeFor(0.005, 0.05).up, 50);
}

TEST(AlarmDesign, BernoulliRunLengthsMatchSimulation) {
  BernoulliScheme s{20, 60};
  for (double p : {0.01, 0.05}) {
    std::mt19937_64 rng(3);
    std::bernoulli_distribution fail(p);
    double total = 0;
    const int runs = 4000;
    for (int r = 0; r < runs; ++r) {
      int cusum = 0;
      int64_t n = 0;
      do {
        ++n;
        cusum = std::max(0, cusum + (fail(rng) ? s.up : -1));
      } while (cusum < s.h);
      total += static_cast<double>(n);
    }
    EXPECT_NEAR(total / runs / BernoulliArl(s, p), 1.0, 0.05) << p;
  }
}

TEST(AlarmDesign, ShiftDesignSpendsTheBudgetAtItsGuardAndIsFast) {
  const AlarmBudget budget;  // 1 false alert / 30 d, ×1.2 detected fastest
  // A log-sd 0.15 series, subgroups of 15 at 2 s: σ̂ of a trimmed mean ≈ 0.04, of a median 0.05.
  const ShiftDesign d = DesignShift(0.04, 0.05, 40, 30000, budget);
  EXPECT_LE(d.design_false_alerts_per_30d, 1.0);
  // h is the smallest that meets SHIFT's share (¾); JUMP's floor of ×1.5 leaves its share unspent.
  EXPECT_GE(d.design_false_alerts_per_30d, 0.7);
  EXPECT_LT(d.expected_false_alerts_per_30d, d.design_false_alerts_per_30d);
  EXPECT_LT(d.expected_degraded_per_30d, budget.degraded_per_30d);
  EXPECT_GE(d.jump, std::log(1.5) / 0.05);  // a JUMP is at least ×1.5
  EXPECT_LE(d.degraded_h, d.alert.h);
  EXPECT_LT(d.detection_delay_ms, 5 * 60 * 1000);  // ×1.2 within 5 minutes
  // A wider series is slower to judge, never cheaper in false alerts.
  const ShiftDesign wide = DesignShift(0.09, 0.11, 40, 30000, budget);
  EXPECT_GT(wide.detection_delay_ms, d.detection_delay_ms);
  EXPECT_LE(wide.design_false_alerts_per_30d, 1.0);
  // A larger budget buys speed.
  AlarmBudget loose = budget;
  loose.false_alerts_per_30d = 30;
  EXPECT_LT(DesignShift(0.09, 0.11, 40, 30000, loose).detection_delay_ms, wide.detection_delay_ms);
}

TEST(AlarmDesign, ErrorDesignGuardsAtLeastTheFloorAndMeetsTheBudget) {
  const AlarmBudget budget;
  const ErrorDesign none = DesignErrors(600, 0, 2000, budget);
  EXPECT_GE(none.p_guard, budget.error_floor);
  EXPECT_EQ(none.expected_false_alerts_per_30d, 0);  // p̂ = 0
  EXPECT_LE(none.design_false_alerts_per_30d, 1.0);
  EXPECT_LT(none.detection_delay_ms, 5 * 60 * 1000);  // 0 → 5 % within 5 minutes
  const ErrorDesign some = DesignErrors(600, 6, 2000, budget);  // 1 % failing in the baseline
  EXPECT_GT(some.p_guard, 0.01);
  EXPECT_GT(some.expected_false_alerts_per_30d, 0);
  EXPECT_LE(some.design_false_alerts_per_30d, 1.0);
}

}  // namespace
}  // namespace llmscope::spc

// EWMA and CUSUM (docs/spc.md §6) against values worked by hand: with λ = 0.2, L = 3, k = 0.5, h =
// 5, μ̂ = 0 and σ̂ = 1 each step's z_i, limit width, C⁺ and C⁻ is written out below, and the rules
// fire at exactly the indices those numbers give: the first EWMA limit is Lσ̂λ, the limits widen
// with i, CUSUM needs to exceed h strictly and resets after firing, and a new stage restarts both.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "spc/control_chart.h"
#include "spc/rule.h"
#include "spc/streaming_rules.h"
#include "spc/window_rules.h"

namespace llmscope::spc {
namespace {

using Indices = std::vector<int64_t>;

// Indices at which `rule` fires, alone, over one stage (streaming; batch must agree).
Indices Fires(Rule rule, const std::vector<double>& y, double mean = 0, double sigma = 1,
              RuleConfig config = {}) {
  config.enabled = Bit(rule);
  EXPECT_TRUE(Validate(config).ok());
  StreamingRuleEvaluator evaluator(config, mean, sigma);
  const std::vector<RuleMask> batch = JudgeStageWindow(y, config, mean, sigma);
  Indices out;
  for (size_t i = 0; i < y.size(); ++i) {
    const RuleMask fired = evaluator.Push(y[i]);
    EXPECT_EQ(fired, batch[i]) << RuleName(rule) << " streaming vs batch at " << i;
    if (Has(fired, rule)) out.push_back(static_cast<int64_t>(i));
  }
  return out;
}

TEST(Ewma, DefaultsAreTheContractsAndOff) {
  const RuleConfig c;
  EXPECT_EQ(c.ewma_lambda, 0.2);
  EXPECT_EQ(c.ewma_l, 3.0);
  EXPECT_EQ(c.cusum_k, 0.5);
  EXPECT_EQ(c.cusum_h, 5.0);
  EXPECT_FALSE(c.enabled_rule(Rule::kEwma));
  EXPECT_FALSE(c.enabled_rule(Rule::kCusum));
}

// With λ = 0.2, L = 3, σ̂ = 1 the half-width after i points is
//   w_i = 3 √(0.2/1.8 · (1 − 0.8^{2i})) = √(1 − 0.64^i):
//   w_1 = 0.6 (= Lσ̂λ), w_2 = 0.76837, w_3 = 0.85899, w_4 = 0.91226, w_5 = 0.94479,
//   w_6 = 0.96503, w_7 = 0.97776, w_8 = 0.98583, w_9 = 0.99095.
TEST(Ewma, HandWorkedSeries) {
  // index  y     z_i = 0.2 y + 0.8 z_{i−1}            w_i      fires
  //   0    2.9   0.58                                 0.6      no
  //   1    2.0   0.4 + 0.464 = 0.864                  0.76837  yes
  //   2    0.0   0.6912                               0.85899  no
  //   3    0.0   0.55296                              0.91226  no
  //   4   -3.0  -0.6 + 0.442368 = -0.157632           0.94479  no
  //   5   -4.0  -0.8 − 0.1261056 = -0.9261056         0.96503  no
  //   6   -3.0  -0.6 − 0.74088448 = -1.34088448       0.97776  yes
  //   7    0.0  -1.072707584                          0.98583  yes (no reset: z carries on)
  //   8    1.0   0.2 − 0.8581660672 = -0.6581660672   0.99095  no
  const std::vector<double> y{2.9, 2.0, 0.0, 0.0, -3.0, -4.0, -3.0, 0.0, 1.0};
  EXPECT_EQ(Fires(Rule::kEwma, y), (Indices{1, 6, 7}));
}

TEST(Ewma, FirstLimitIsLSigmaLambda) {
  // z_1 = λ y_0 (z_0 = μ̂ = 0); the first limit is L σ̂ λ = 0.6: 3.01 → 0.602 fires, 2.99 → 0.598
  // does not. Without the (1 − (1 − λ)^{2i}) factor the limit would be 1.0 and neither fire.
  EXPECT_EQ(Fires(Rule::kEwma, {3.01}), (Indices{0}));
  EXPECT_EQ(Fires(Rule::kEwma, {2.99}), Indices{});
  EXPECT_EQ(Fires(Rule::kEwma, {-3.01}), (Indices{0}));
  // σ̂ = 2: limit 3 · 2 · 0.2 = 1.2; y = 6.05 → 1.21 fires, 5.95 → 1.19 does not.
  EXPECT_EQ(Fires(Rule::kEwma, {6.05}, 0, 2), (Indices{0}));
  EXPECT_EQ(Fires(Rule::kEwma, {5.95}, 0, 2), Indices{});
  // μ̂ = 100, σ̂ = 10: z_0 = 100, limit ±6; y = 130.5 → z = 106.1 fires, 129.5 → 105.9 not.
  EXPECT_EQ(Fires(Rule::kEwma, {130.5}, 100, 10), (Indices{0}));
  EXPECT_EQ(Fires(Rule::kEwma, {129.5}, 100, 10), Indices{});
}

TEST(Ewma, SmallSustainedShiftIsFoundWhereR1IsSilent) {
  // y = 1 (a 1σ̂ shift) from the start: z_i = 1 − 0.8^i against w_i = √(1 − 0.64^i).
  //   i=1: 0.2 < 0.6; i=2: 0.36 < 0.768; ... z_i stays below w_i for all i, since
  //   (1 − 0.8^i)² < (1 − 0.8^i)(1 + 0.8^i). So a constant 1σ̂ shift never fires EWMA at
  //   L = 3, λ = 0.2 — but 1.5σ̂ does: z = 1.5(1 − 0.8^i) > √(1 − 0.64^i) from i = 5, index 4
  //   (i=3: 0.732 < 0.859; i=4: 0.8856 < 0.9123; i=5: 1.0085 > 0.9448).
  EXPECT_EQ(Fires(Rule::kEwma, std::vector<double>(30, 1.0)), Indices{});
  const Indices fired = Fires(Rule::kEwma, std::vector<double>(8, 1.5));
  EXPECT_EQ(fired, (Indices{4, 5, 6, 7}));
  EXPECT_EQ(Fires(Rule::kR1, std::vector<double>(8, 1.5)), Indices{});
}

TEST(Ewma, LambdaOneIsAShewhartChart) {
  // λ = 1: z_i = y_i and the limit is L σ̂ at every i, so EWMA with L = 3 is R1.
  RuleConfig c;
  c.ewma_lambda = 1.0;
  EXPECT_EQ(Fires(Rule::kEwma, {0, 3.1, 2.9, -3.1, 0}, 0, 1, c), (Indices{1, 3}));
}

// CUSUM with k = 0.5, h = 5 (σ̂ = 1, so (y − μ̂)/σ̂ = y):
//   index  y     C⁺                          C⁻                          fires
//     0    2     1.5                         0
//     1    2     3.0                         0
//     2    2     4.5                         0
//     3    2     6.0 > 5                     0                           yes, reset both
//     4    0     max(0, −0.5) = 0            0
//     5   -1     0                           0.5
//     6   -1     0                           1.0
//     7    0.2   0                           1.0 − 0.2 − 0.5 = 0.3
//     8   -3     0                           2.8
//     9   -2     0                           4.3
//    10   -2     0                           5.8 > 5                     yes, reset both
//    11    3     2.5                         0
//    12    3     5.0 (not > 5)               0
//    13    0.5   5.0 + 0.5 − 0.5 = 5.0       0
//    14    0.6   5.1 > 5                     0                           yes
TEST(Cusum, HandWorkedSeries) {
  const std::vector<double> y{2, 2, 2, 2, 0, -1, -1, 0.2, -3, -2, -2, 3, 3, 0.5, 0.6};
  EXPECT_EQ(Fires(Rule::kCusum, y), (Indices{3, 10, 14}));
}

TEST(Cusum, ResetsAfterFiring) {
  // y = 2 throughout: C⁺ = 1.5, 3, 4.5, 6 → fire and reset, then 1.5, 3, 4.5, 6 → fire again.
  // Without the reset it would fire at 3, 4, 5, 6, 7, ...
  EXPECT_EQ(Fires(Rule::kCusum, std::vector<double>(12, 2.0)), (Indices{3, 7, 11}));
  EXPECT_EQ(Fires(Rule::kCusum, std::vector<double>(8, -2.0)), (Indices{3, 7}));
}

TEST(Cusum, ScalesWithSigmaAndHonoursH) {
  // μ̂ = 100, σ̂ = 10: y = 120 is z = 2, as above.
  EXPECT_EQ(Fires(Rule::kCusum, std::vector<double>(8, 120.0), 100, 10), (Indices{3, 7}));
  // h = 2: C⁺ = 1.5, 3 > 2 → fire at 1, reset; 1.5, 3 → fire at 3.
  RuleConfig c;
  c.cusum_h = 2;
  EXPECT_EQ(Fires(Rule::kCusum, std::vector<double>(4, 2.0), 0, 1, c), (Indices{1, 3}));
  // Deviations within k never accumulate.
  EXPECT_EQ(Fires(Rule::kCusum, std::vector<double>(100, 0.5)), Indices{});
}

TEST(EwmaCusum, NewStageRestartsTheirState) {
  ChartConfig config;
  config.transform = Transform::kNone;
  config.rules.enabled = Bit(Rule::kCusum);
  ControlChart chart(config);
  std::vector<Firing> firings;
  chart.StartKnownStage({0.0, 1.0});
  // Stage 0: C⁺ = 1.5, 3, 4.5 (indices 0..2).
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(chart.Observe(2.0, firings).ok());
  chart.StartKnownStage({0.0, 1.0});
  // Stage 1 starts from C⁺ = 0: 1.5, 3, 4.5, 6 → fires at its 4th point, index 6 (carried
  // over, C⁺ would have been 6 at index 3).
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(chart.Observe(2.0, firings).ok());
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].index, 6);
  EXPECT_EQ(firings[0].rule, Rule::kCusum);
  EXPECT_EQ(firings[0].stage, 1);
  EXPECT_DOUBLE_EQ(firings[0].deviation, 2.0);

  // EWMA: the first point of a new stage is judged against the narrow first limit Lσ̂λ from
  // z_0 = the new μ̂.
  config.rules.enabled = Bit(Rule::kEwma);
  ControlChart ewma(config);
  firings.clear();
  ewma.StartKnownStage({0.0, 1.0});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(ewma.Observe(0.9, firings).ok());
  EXPECT_TRUE(firings.empty());
  ewma.StartKnownStage({1.0, 1.0});
  ASSERT_TRUE(ewma.Observe(4.05, firings).ok());  // z = 0.2 · 4.05 + 0.8 · 1 = 1.61 > 1.6
  ASSERT_TRUE(ewma.Observe(1.0, firings).ok());   // z = 1.488, w_2 = 0.768: within
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].index, 20);
  EXPECT_EQ(firings[0].stage, 1);
}

}  // namespace
}  // namespace llmscope::spc

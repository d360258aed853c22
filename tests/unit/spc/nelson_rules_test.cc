// Nelson rules R1..R8 (docs/spc.md §5) on hand-worked series with μ̂ = 0 and σ̂ = 1: each rule,
// enabled alone, fires at exactly the listed indices, and not on the near-misses the contract's
// wording rules out (strict "above"/"beyond", |d| = σ̂ counted as within, zero steps, incomplete
// windows, point i outside the m-of-n count). Also: a satisfied rule fires at every index,
// windows never cross a stage boundary, non-default K, and the degenerate σ̂ = 0 stage.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "spc/control_chart.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/streaming_rules.h"
#include "spc/window_rules.h"

namespace llmscope::spc {
namespace {

using Indices = std::vector<int64_t>;

// first, first + 1, ..., last.
Indices Range(int64_t first, int64_t last) {
  Indices out;
  for (int64_t i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// `n` copies of `v`.
std::vector<double> Repeat(double v, int n) {
  return std::vector<double>(n, v);
}

std::vector<double> Concat(std::vector<double> a, const std::vector<double>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Indices at which `rule` fires when `y` is streamed through one stage with μ̂ = `mean` and
// σ̂ = `sigma`, with `rule` the only rule enabled. Batch evaluation of the same window must give
// the same masks, so every hand-worked case checks both evaluators.
Indices Fires(Rule rule, const std::vector<double>& y, RuleConfig config = {}, double mean = 0,
              double sigma = 1) {
  config.enabled = Bit(rule);
  EXPECT_TRUE(Validate(config).ok());
  StreamingRuleEvaluator evaluator(config, mean, sigma);
  const std::vector<RuleMask> batch = JudgeStageWindow(y, config, mean, sigma);
  Indices out;
  for (size_t i = 0; i < y.size(); ++i) {
    const RuleMask fired = evaluator.Push(y[i]);
    EXPECT_EQ(fired, batch[i]) << RuleName(rule) << " streaming vs batch at " << i;
    EXPECT_EQ(fired & ~Bit(rule), 0) << "a disabled rule fired at " << i;
    if (Has(fired, rule)) out.push_back(static_cast<int64_t>(i));
  }
  return out;
}

// ---- R1: beyond 3σ̂, strictly ----

TEST(NelsonR1, FiresOnlyStrictlyBeyondThreeSigma) {
  //                          0    1    2     3           4            5    6     7
  const std::vector<double> y{0.0, 3.0, -3.0, 3.0000001, -3.0000001, 2.9, 10.0, 0.0};
  EXPECT_EQ(Fires(Rule::kR1, y), (Indices{3, 4, 6}));
}

TEST(NelsonR1, ExactlyAtThreeSigmaWithOtherCenterAndSigma) {
  // μ̂ = 100, σ̂ = 10: 130 and 70 are on the limits (no fire), 130.5 and 69.5 beyond.
  EXPECT_EQ(Fires(Rule::kR1, {130, 70, 130.5, 69.5, 100}, {}, 100, 10), (Indices{2, 3}));
}

// ---- R2: 9 points on one side of the center ----

TEST(NelsonR2, EightAboveDoNotFireTheNinthDoes) {
  EXPECT_EQ(Fires(Rule::kR2, Repeat(0.5, 8)), Indices{});
  EXPECT_EQ(Fires(Rule::kR2, Repeat(0.5, 9)), (Indices{8}));
  EXPECT_EQ(Fires(Rule::kR2, Repeat(-0.5, 9)), (Indices{8}));
}

TEST(NelsonR2, StaysSatisfiedFiresAtEachIndex) {
  EXPECT_EQ(Fires(Rule::kR2, Repeat(0.5, 12)), (Indices{8, 9, 10, 11}));
}

TEST(NelsonR2, PointOnTheCenterBreaksTheRun) {
  // 4 above, one exactly on the center, 8 above: 13 points but no run of 9 on one side.
  const std::vector<double> y = Concat(Concat(Repeat(0.5, 4), {0.0}), Repeat(0.5, 8));
  EXPECT_EQ(Fires(Rule::kR2, y), Indices{});
  // The 9th point after the center point completes a run: index 13.
  EXPECT_EQ(Fires(Rule::kR2, Concat(y, {0.5})), (Indices{13}));
}

TEST(NelsonR2, SideChangeRestartsTheRun) {
  // 5 above then 9 below (indices 5..13): only the below run counts.
  EXPECT_EQ(Fires(Rule::kR2, Concat(Repeat(0.5, 5), Repeat(-0.5, 9))), (Indices{13}));
  // Far beyond the limits still counts as "above".
  EXPECT_EQ(Fires(Rule::kR2, Concat(Repeat(5.0, 4), Repeat(0.1, 5))), (Indices{8}));
}

// ---- R3: 6 points strictly increasing or decreasing ----

TEST(NelsonR3, SixRisingFireFiveDoNot) {
  EXPECT_EQ(Fires(Rule::kR3, {0, 1, 2, 3, 4}), Indices{});
  EXPECT_EQ(Fires(Rule::kR3, {0, 1, 2, 3, 4, 5}), (Indices{5}));
  EXPECT_EQ(Fires(Rule::kR3, {5, 4, 3, 2, 1, 0, -1}), (Indices{5, 6}));
}

TEST(NelsonR3, EqualConsecutiveValuesBreakTheTrend) {
  //                0  1  2  3  4  5  6  7  8
  const std::vector<double> y{0, 1, 2, 2, 3, 4, 5, 6, 7};
  // Windows ending at 5..7 hold the zero step 2 → 3; the window 3..8 is strictly rising.
  EXPECT_EQ(Fires(Rule::kR3, y), (Indices{8}));
}

TEST(NelsonR3, DirectionChangeRestartsTheTrend) {
  //                0  1  2  3  4  5  6  7  8  9
  const std::vector<double> y{0, 1, 2, 3, 4, 3, 2, 1, 0, -1};
  // Rising 0..4 is only 5 points; falling 4..9 is 6 points.
  EXPECT_EQ(Fires(Rule::kR3, y), (Indices{9}));
}

// ---- R4: 14 points alternating up and down ----

std::vector<double> Alternating(int n, double start = 1.0) {
  std::vector<double> y;
  double v = start;
  for (int i = 0; i < n; ++i, v = -v) y.push_back(v);
  return y;
}

TEST(NelsonR4, FourteenAlternatingFireThirteenDoNot) {
  EXPECT_EQ(Fires(Rule::kR4, Alternating(13)), Indices{});
  EXPECT_EQ(Fires(Rule::kR4, Alternating(14)), (Indices{13}));
  EXPECT_EQ(Fires(Rule::kR4, Alternating(16)), (Indices{13, 14, 15}));
}

TEST(NelsonR4, AlternationNeedNotStraddleTheCenter) {
  // A sawtooth well above the center with uneven steps still alternates.
  std::vector<double> y;
  for (int i = 0; i < 14; ++i) y.push_back(i % 2 == 0 ? 2.0 + 0.01 * i : 2.5 + 0.1 * i);
  EXPECT_EQ(Fires(Rule::kR4, y), (Indices{13}));
}

TEST(NelsonR4, ZeroDifferenceBreaksTheChain) {
  // Indices 0..9 alternate (y9 = -1), y10 = y9 (a zero difference), then alternation resumes.
  std::vector<double> y = Alternating(10);
  y.push_back(-1.0);
  y = Concat(y, Alternating(14, 1.0));  // indices 11..24
  ASSERT_EQ(y.size(), 25u);
  // Without the zero difference R4 would fire from 13 on; with it, the first window of 13
  // alternating differences is 10..23 (differences 11..23).
  EXPECT_EQ(Fires(Rule::kR4, y), (Indices{23, 24}));
}

// ---- R5: 2 of 3 beyond 2σ̂ on one side, point i among them ----

TEST(NelsonR5, TwoOfThreeBeyondTwoSigma) {
  EXPECT_EQ(Fires(Rule::kR5, {0, 2.5, 0, 2.5}), (Indices{3}));
  EXPECT_EQ(Fires(Rule::kR5, {0, -2.5, -2.5}), (Indices{2}));
}

TEST(NelsonR5, OnlyCompleteWindowsCount) {
  // Index 1 has 2 points beyond 2σ̂ but its window has only 2 points; at index 2 point i is in.
  EXPECT_EQ(Fires(Rule::kR5, {2.5, 2.5, 0}), Indices{});
}

TEST(NelsonR5, PointIItselfMustBeBeyond) {
  // At index 3 the window (2.5, 2.5, 1.0) has 2 beyond 2σ̂, but point 3 is inside.
  EXPECT_EQ(Fires(Rule::kR5, {0, 2.5, 2.5, 1.0}), (Indices{2}));
}

TEST(NelsonR5, OppositeSidesDoNotCount) {
  //                         0  1     2    3  4     5
  EXPECT_EQ(Fires(Rule::kR5, {0, 2.5, -2.5, 0, -2.5, 2.5}), (Indices{4}));
}

TEST(NelsonR5, ExactlyTwoSigmaIsNotBeyond) {
  EXPECT_EQ(Fires(Rule::kR5, {0, 2.0, 2.5}), Indices{});
  EXPECT_EQ(Fires(Rule::kR5, {0, -2.0, -2.5}), Indices{});
}

TEST(NelsonR5, PointsBeyondThreeSigmaCount) {
  EXPECT_EQ(Fires(Rule::kR5, {0, 0, 3.5, 2.5}), (Indices{3}));
  EXPECT_EQ(Fires(Rule::kR5, {0, 0, 5, -1, 5}), (Indices{4}));
}

// ---- R6: 4 of 5 beyond 1σ̂ on one side, point i among them ----

TEST(NelsonR6, FourOfFiveBeyondOneSigma) {
  EXPECT_EQ(Fires(Rule::kR6, {0, 1.5, 1.5, 1.5, 1.5}), (Indices{4}));
  EXPECT_EQ(Fires(Rule::kR6, {-1.5, 0, -1.5, -1.5, -1.5}), (Indices{4}));
}

TEST(NelsonR6, ThreeOfFiveDoNotFire) {
  EXPECT_EQ(Fires(Rule::kR6, {0, 1.5, 0, 1.5, 1.5, 0}), Indices{});
}

TEST(NelsonR6, PointIItselfMustBeBeyond) {
  // At index 5 the window holds 4 points beyond 1σ̂, but point 5 is inside.
  EXPECT_EQ(Fires(Rule::kR6, {0, 1.5, 1.5, 1.5, 1.5, 0.5}), (Indices{4}));
}

TEST(NelsonR6, OnePointOnTheOtherSideDoesNotPreventIt) {
  //                         0  1    2    3     4    5
  EXPECT_EQ(Fires(Rule::kR6, {0, 1.5, 1.5, -1.5, 1.5, 1.5}), (Indices{5}));
  // 3 above and 2 below: neither side has 4.
  EXPECT_EQ(Fires(Rule::kR6, {1.5, -1.5, 1.5, -1.5, 1.5}), Indices{});
}

TEST(NelsonR6, ExactlyOneSigmaIsNotBeyond) {
  EXPECT_EQ(Fires(Rule::kR6, {0, 1.0, 1.5, 1.5, 1.5}), Indices{});
}

// ---- R7: 15 points within 1σ̂ (|d| ≤ σ̂) ----

TEST(NelsonR7, FifteenWithinFireFourteenDoNot) {
  EXPECT_EQ(Fires(Rule::kR7, Repeat(0.5, 14)), Indices{});
  EXPECT_EQ(Fires(Rule::kR7, Repeat(0.5, 15)), (Indices{14}));
  EXPECT_EQ(Fires(Rule::kR7, Repeat(-0.2, 17)), (Indices{14, 15, 16}));
}

TEST(NelsonR7, ExactlyOneSigmaCountsAsWithin) {
  std::vector<double> y = Repeat(0.5, 15);
  y[3] = 1.0;
  y[7] = -1.0;
  EXPECT_EQ(Fires(Rule::kR7, y), (Indices{14}));
}

TEST(NelsonR7, JustBeyondOneSigmaBreaksTheRun) {
  std::vector<double> y = Repeat(0.5, 21);
  y[3] = -1.0;       // within
  y[5] = 1.0000001;  // beyond: the run restarts at 6 and is 15 long at 20
  EXPECT_EQ(Fires(Rule::kR7, y), (Indices{20}));
}

// ---- R8: 8 points beyond 1σ̂, either side ----

TEST(NelsonR8, EightBeyondOnBothSidesFire) {
  EXPECT_EQ(Fires(Rule::kR8, Alternating(7, 1.5)), Indices{});
  EXPECT_EQ(Fires(Rule::kR8, Alternating(8, 1.5)), (Indices{7}));
  EXPECT_EQ(Fires(Rule::kR8, Alternating(10, 1.5)), (Indices{7, 8, 9}));
}

TEST(NelsonR8, EightBeyondOnOneSideAlsoFire) {
  EXPECT_EQ(Fires(Rule::kR8, Repeat(2.0, 8)), (Indices{7}));
  EXPECT_EQ(Fires(Rule::kR8, Repeat(-4.0, 8)), (Indices{7}));
}

TEST(NelsonR8, PointExactlyAtOneSigmaBreaksTheRun) {
  // Index 4 is exactly at 1σ̂ (not beyond); the run 5..12 is complete at 12.
  const std::vector<double> y = Concat(Concat(Alternating(4, 1.5), {1.0}), Alternating(8, -1.5));
  EXPECT_EQ(Fires(Rule::kR8, y), (Indices{12}));
  const std::vector<double> z = Concat(Concat(Alternating(4, 1.5), {-1.0}), Alternating(7, -1.5));
  EXPECT_EQ(Fires(Rule::kR8, z), Indices{});
}

// ---- All rules together: each fires only at its own indices ----

TEST(NelsonRules, AllRulesOnAShiftFireAtTheExpectedIndices) {
  // A level shift to +2.5σ̂ after 3 calm points: 0, 0, 0, then 2.5 × 9 (indices 3..11).
  const std::vector<double> y = Concat(Repeat(0.0, 3), Repeat(2.5, 9));
  EXPECT_EQ(Fires(Rule::kR1, y), Indices{});
  EXPECT_EQ(Fires(Rule::kR2, y), (Indices{11}));  // 9 above: 3..11
  EXPECT_EQ(Fires(Rule::kR3, y), Indices{});
  EXPECT_EQ(Fires(Rule::kR4, y), Indices{});
  EXPECT_EQ(Fires(Rule::kR5, y), Range(4, 11));  // 2 of 3 from the second shifted point
  EXPECT_EQ(Fires(Rule::kR6, y), Range(6, 11));  // 4 of 5 from the fourth
  EXPECT_EQ(Fires(Rule::kR7, y), Indices{});
  EXPECT_EQ(Fires(Rule::kR8, y), (Indices{10, 11}));  // 8 beyond 1σ̂: 3..10
}

// ---- Non-default K ----

TEST(NelsonRules, NonDefaultK) {
  RuleConfig c;
  c.r1_sigma = 2.5;
  EXPECT_EQ(Fires(Rule::kR1, {2.4, 2.6, -2.5, -2.6}, c), (Indices{1, 3}));
  c.r2_run = 5;
  EXPECT_EQ(Fires(Rule::kR2, Concat(Repeat(0.5, 7), Repeat(-0.5, 4)), c), (Indices{4, 5, 6}));
  c.r3_run = 4;
  EXPECT_EQ(Fires(Rule::kR3, {0, 1, 2, 2, 3, 4, 5}, c), (Indices{6}));
  c.r4_run = 5;
  EXPECT_EQ(Fires(Rule::kR4, {0, 1, 0, 1, 0, 0, 1}, c), (Indices{4}));
  c.r7_run = 5;
  EXPECT_EQ(Fires(Rule::kR7, {0, 0, 0, 0, 0, 2, 0}, c), (Indices{4}));
  c.r8_run = 3;
  EXPECT_EQ(Fires(Rule::kR8, {2, -2, 2, 0, 2}, c), (Indices{2}));
  c.r6_count = 3;
  c.r6_window = 3;
  EXPECT_EQ(Fires(Rule::kR6, {1.5, 1.5, 1.5, 0, -1.5}, c), (Indices{2}));
}

TEST(NelsonR5, ThreeOfFour) {
  const std::vector<double> y{0, 2.5, 2.5, 0, 2.5, 0, 2.5, 2.5};
  EXPECT_EQ(Fires(Rule::kR5, y), (Indices{2, 4, 6, 7}));  // default 2 of 3
  RuleConfig c;
  c.r5_count = 3;
  c.r5_window = 4;
  // Index 2: window of 3 points, incomplete. 4: (2.5, 2.5, 0, 2.5). 6: only 2 of (0, 2.5, 0,
  // 2.5). 7: (2.5, 0, 2.5, 2.5).
  EXPECT_EQ(Fires(Rule::kR5, y, c), (Indices{4, 7}));
}

TEST(NelsonRules, LongestWindowsSlideExactly) {
  // Windows of kMaxWindow = 64 points, the size of the streaming evaluator's ring.
  RuleConfig c;
  c.r2_run = 64;
  EXPECT_EQ(Fires(Rule::kR2, Repeat(0.5, 63), c), Indices{});
  EXPECT_EQ(Fires(Rule::kR2, Repeat(0.5, 65), c), (Indices{63, 64}));
  c.r7_run = 64;
  EXPECT_EQ(Fires(Rule::kR7, Repeat(0.5, 64), c), (Indices{63}));
  c.r8_run = 64;
  EXPECT_EQ(Fires(Rule::kR8, Repeat(1.5, 64), c), (Indices{63}));

  // R5 as 2 of 64: the points 63 apart share a window, 64 apart do not.
  c.r5_count = 2;
  c.r5_window = 64;
  std::vector<double> y = Repeat(0.0, 64);
  y[0] = y[63] = 2.5;
  EXPECT_EQ(Fires(Rule::kR5, y, c), (Indices{63}));
  y = Repeat(0.0, 65);
  y[0] = y[64] = 2.5;
  EXPECT_EQ(Fires(Rule::kR5, y, c), Indices{});

  // R6 as 63 of 64 over 200 points beyond 1σ̂ but for 100 and 101: windows holding both of
  // them (ending at 101..164) have at most 62; the window ending at 164 (101..164) holds only
  // 101 and fires again.
  c.r6_count = 63;
  c.r6_window = 64;
  y = Repeat(1.5, 200);
  y[100] = y[101] = 0.0;
  Indices want = Range(63, 99);
  const Indices tail = Range(164, 199);
  want.insert(want.end(), tail.begin(), tail.end());
  EXPECT_EQ(Fires(Rule::kR6, y, c), want);
}

// ---- Stage boundaries ----

// Chart-scale values streamed through a chart that starts a known stage (μ̂ = 0, σ̂ = 1, no
// transform) before `first` and another one before `second`; returns the firings.
std::vector<Firing> TwoKnownStages(RuleMask enabled, const std::vector<double>& first,
                                   const std::vector<double>& second) {
  ChartConfig config;
  config.transform = Transform::kNone;
  config.rules.enabled = enabled;
  ControlChart chart(config);
  std::vector<Firing> firings;
  chart.StartKnownStage({0.0, 1.0});
  for (double v : first) EXPECT_TRUE(chart.Observe(v, firings).ok());
  chart.StartKnownStage({0.0, 1.0});
  for (double v : second) EXPECT_TRUE(chart.Observe(v, firings).ok());
  EXPECT_EQ(chart.stages().size(), 2u);
  EXPECT_EQ(chart.stages()[1].start_index, static_cast<int64_t>(first.size()));
  return firings;
}

Indices IndicesOf(const std::vector<Firing>& firings) {
  Indices out;
  for (const Firing& f : firings) out.push_back(f.index);
  return out;
}

TEST(NelsonRules, WindowsNeverCrossAStageBoundary) {
  // R2: 5 above in stage 0, then 9 above in stage 1 (indices 5..13): fires only at 13.
  std::vector<Firing> f = TwoKnownStages(Bit(Rule::kR2), Repeat(0.5, 5), Repeat(0.5, 8));
  EXPECT_EQ(IndicesOf(f), Indices{});
  f = TwoKnownStages(Bit(Rule::kR2), Repeat(0.5, 5), Repeat(0.5, 9));
  ASSERT_EQ(IndicesOf(f), (Indices{13}));
  EXPECT_EQ(f[0].stage, 1);
  EXPECT_EQ(f[0].phase, Phase::kMonitoring);
  EXPECT_EQ(f[0].rule, Rule::kR2);

  // R3: 0, 1, 2 | 3, 4, 5, 6, 7 rises 8 points but only 5 in stage 1; 8 then completes 6.
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR3), {0, 1, 2}, {3, 4, 5, 6, 7})), Indices{});
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR3), {0, 1, 2}, {3, 4, 5, 6, 7, 8})), (Indices{8}));

  // R4: 10 alternating | 14 alternating, continuing the pattern: 24 in a row, but stage 1's
  // first complete window ends at 23.
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR4), Alternating(10, 0.5), Alternating(14, 0.5))),
            (Indices{23}));

  // R5: 0, 0, 2.5 | 2.5, 0, 2.5: the window ending at 3 would be (0, 2.5, 2.5) across the
  // boundary; in stage 1 it is incomplete. The window (2.5, 0, 2.5) at 5 fires.
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR5), {0, 0, 2.5}, {2.5, 0, 2.5})), (Indices{5}));

  // R6, R7, R8 likewise restart their windows at the boundary.
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR6), Repeat(1.5, 3), Repeat(1.5, 5))),
            (Indices{7}));
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR7), Repeat(0.0, 10), Repeat(0.0, 15))),
            (Indices{24}));
  EXPECT_EQ(IndicesOf(TwoKnownStages(Bit(Rule::kR8), Repeat(2.0, 4), Repeat(2.0, 8))),
            (Indices{11}));
}

// ---- Degenerate stage (σ̂ = 0) ----

TEST(NelsonRules, DegenerateStageKeepsOnlyR1ToR4) {
  // μ̂ = 5, σ̂ = 0: 15 points on the center (R7 would fire if it ran), then 10 at 6.
  const std::vector<double> y = Concat(Repeat(5.0, 15), Repeat(6.0, 10));
  for (Rule r : {Rule::kR5, Rule::kR6, Rule::kR7, Rule::kR8, Rule::kEwma, Rule::kCusum}) {
    EXPECT_EQ(Fires(r, y, {}, 5.0, 0.0), Indices{}) << RuleName(r);
  }
  EXPECT_EQ(Fires(Rule::kR1, y, {}, 5.0, 0.0), Range(15, 24));
  EXPECT_EQ(Fires(Rule::kR1, {5.0, 5.0000001, 4.9999999, 5.0}, {}, 5.0, 0.0), (Indices{1, 2}));
  // R2 does not use σ̂ and stays on: 9 above the center at 15..23.
  EXPECT_EQ(Fires(Rule::kR2, y, {}, 5.0, 0.0), (Indices{23, 24}));
  EXPECT_EQ(Fires(Rule::kR3, {5, 6, 7, 8, 9, 10}, {}, 5.0, 0.0), (Indices{5}));
}

TEST(NelsonRules, DegenerateStageFiringsHaveNanDeviation) {
  ChartConfig config;
  config.transform = Transform::kNone;
  config.rules.enabled = 0x03FF;  // every rule, EWMA and CUSUM included
  ControlChart chart(config);
  chart.StartKnownStage({5.0, 0.0});
  ASSERT_TRUE(chart.current_stage().has_value());
  EXPECT_TRUE(chart.current_stage()->degenerate());
  std::vector<Firing> firings;
  for (double v : Concat(Repeat(5.0, 15), {5.5, 4.0, 5.0})) {
    ASSERT_TRUE(chart.Observe(v, firings).ok());
  }
  ASSERT_EQ(firings.size(), 2u);
  EXPECT_EQ(firings[0].index, 15);
  EXPECT_EQ(firings[0].rule, Rule::kR1);
  EXPECT_EQ(firings[0].value, 5.5);
  EXPECT_TRUE(std::isnan(firings[0].deviation));
  EXPECT_EQ(firings[1].index, 16);
  EXPECT_EQ(firings[1].rule, Rule::kR1);
  EXPECT_TRUE(std::isnan(firings[1].deviation));
}

}  // namespace
}  // namespace llmscope::spc

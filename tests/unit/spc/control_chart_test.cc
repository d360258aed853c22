// ControlChart (docs/spc.md §2–§4): learning (no firings before B points, provisional limits from
// 20 points), the Phase I review of the baseline when it completes (firings marked `baseline`, at
// the right indices), monitoring firings, new stages (StartNewStage, StartStageFrom,
// StartKnownStage), invalid input under `log`, σ̂ estimation by mr_mean / mr_median / stddev
// against hand-computed values, limits in the original unit, and config and rule-list parsing.
#include "spc/control_chart.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <span>
#include <vector>

#include "spc/baseline.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/stage.h"

namespace llmscope::spc {
namespace {

// (index, rule, phase, stage) of a firing, for comparing whole firing lists.
struct Key {
  int64_t index;
  Rule rule;
  Phase phase;
  int stage;
  bool operator==(const Key&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Key& k) {
  return os << "{" << k.index << ", " << RuleName(k.rule) << ", " << PhaseName(k.phase)
            << ", stage " << k.stage << "}";
}

std::vector<Key> Keys(const std::vector<Firing>& firings) {
  std::vector<Key> out;
  for (const Firing& f : firings) out.push_back({f.index, f.rule, f.phase, f.stage});
  return out;
}

// The firings a window of indices [first, last] of `rule` contributes, in index order.
void AddRun(std::vector<Key>& keys, int64_t first, int64_t last, Rule rule, Phase phase,
            int stage = 0) {
  for (int64_t i = first; i <= last; ++i) keys.push_back({i, rule, phase, stage});
}

// Sorts keys the way a chart emits them: by index, then rule.
void SortByIndexThenRule(std::vector<Key>& keys) {
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.index != b.index ? a.index < b.index : a.rule < b.rule;
  });
}

ChartConfig NoneConfig(int baseline_size, SigmaMethod method = SigmaMethod::kMrMean) {
  ChartConfig c;
  c.baseline_size = baseline_size;
  c.transform = Transform::kNone;
  c.sigma_method = method;
  return c;
}

// 9, 11, 9, 11, ...: mean 10, every moving range 2.
std::vector<double> Zigzag(int n, double low = 9, double high = 11) {
  std::vector<double> x;
  for (int i = 0; i < n; ++i) x.push_back(i % 2 == 0 ? low : high);
  return x;
}

TEST(ControlChart, LearningFiresNothingAndShowsProvisionalLimitsFrom20Points) {
  // B = 30, mr_median. The baseline zigzags 9/11 except a spike of 30 at index 5.
  std::vector<double> x = Zigzag(30);
  x[5] = 30;
  ControlChart chart(NoneConfig(30, SigmaMethod::kMrMedian));
  std::vector<Firing> firings;
  for (int i = 0; i < 29; ++i) {
    ASSERT_TRUE(chart.Observe(x[i], firings).ok());
    EXPECT_TRUE(firings.empty()) << "a rule fired while learning, at " << i;
    EXPECT_TRUE(chart.learning());
    EXPECT_FALSE(chart.current_stage().has_value());
    EXPECT_EQ(chart.learning_points(), i + 1);
    if (i + 1 < 20) {
      EXPECT_FALSE(chart.provisional_estimate().has_value()) << i;
    } else {
      ASSERT_TRUE(chart.provisional_estimate().has_value()) << i;
      const Estimate want =
          EstimateBaseline(std::span<const double>(x).first(i + 1), SigmaMethod::kMrMedian).value();
      EXPECT_EQ(chart.provisional_estimate()->mean, want.mean);
      EXPECT_EQ(chart.provisional_estimate()->sigma, want.sigma);
    }
  }
  EXPECT_TRUE(chart.stages().empty());

  // The 30th point completes the baseline: μ̂ = (300 − 11 + 30)/30 = 10.6333, the 29 moving
  // ranges are 2 except two of 21, so median MR = 2 and σ̂ = 2/0.954 = 2.0964.
  ASSERT_TRUE(chart.Observe(x[29], firings).ok());
  EXPECT_FALSE(chart.learning());
  EXPECT_FALSE(chart.provisional_estimate().has_value());
  EXPECT_EQ(chart.learning_points(), 0);
  ASSERT_TRUE(chart.current_stage().has_value());
  const Stage stage = *chart.current_stage();
  EXPECT_EQ(stage.number, 0);
  EXPECT_EQ(stage.start_index, 0);
  EXPECT_EQ(stage.baseline_size, 30);
  EXPECT_NEAR(stage.mean, 319.0 / 30.0, 1e-12);
  EXPECT_NEAR(stage.sigma, 2.0 / 0.954, 1e-12);

  // Phase I review: R1 at the spike (|30 − 10.63| > 3σ̂ = 6.29); R4 from 13 (the zigzag keeps
  // alternating through the spike); R7 once 15 points after the spike are within 1σ̂
  // (|9 − 10.63| = 1.63 ≤ 2.10): 6..20. All marked baseline.
  std::vector<Key> want = {{5, Rule::kR1, Phase::kBaseline, 0}};
  AddRun(want, 13, 29, Rule::kR4, Phase::kBaseline);
  AddRun(want, 20, 29, Rule::kR7, Phase::kBaseline);
  SortByIndexThenRule(want);
  EXPECT_EQ(Keys(firings), want);
  EXPECT_EQ(firings.front().value, 30.0);
  EXPECT_NEAR(firings.front().deviation, (30.0 - 319.0 / 30.0) / (2.0 / 0.954), 1e-12);

  // Monitoring: index 30 = 9 continues both patterns.
  firings.clear();
  ASSERT_TRUE(chart.Observe(9.0, firings).ok());
  EXPECT_EQ(Keys(firings), (std::vector<Key>{{30, Rule::kR4, Phase::kMonitoring, 0},
                                             {30, Rule::kR7, Phase::kMonitoring, 0}}));
  EXPECT_EQ(chart.size(), 31);
}

TEST(ControlChart, PhaseOneReviewThenMonitoringWithMrMean) {
  // B = 20: zigzag 9/11, μ̂ = 10, σ̂ = 2/1.128 = 1.773. The baseline alternates (R4 from 13) and
  // is all within 1σ̂ (R7 from 14).
  ControlChart chart(NoneConfig(20));
  std::vector<Firing> firings;
  for (double v : Zigzag(20)) ASSERT_TRUE(chart.Observe(v, firings).ok());
  ASSERT_TRUE(chart.current_stage().has_value());
  EXPECT_DOUBLE_EQ(chart.current_stage()->mean, 10.0);
  EXPECT_DOUBLE_EQ(chart.current_stage()->sigma, 2.0 / 1.128);
  std::vector<Key> want;
  AddRun(want, 13, 19, Rule::kR4, Phase::kBaseline);
  AddRun(want, 14, 19, Rule::kR7, Phase::kBaseline);
  SortByIndexThenRule(want);
  EXPECT_EQ(Keys(firings), want);

  // Index 20 = 16: (16 − 10)/1.773 = 3.384σ̂ → R1, monitoring; it breaks R4 (two rises) and R7.
  firings.clear();
  ASSERT_TRUE(chart.Observe(16.0, firings).ok());
  ASSERT_EQ(Keys(firings), (std::vector<Key>{{20, Rule::kR1, Phase::kMonitoring, 0}}));
  EXPECT_DOUBLE_EQ(firings[0].deviation, 6.0 / (2.0 / 1.128));
  EXPECT_EQ(firings[0].value, 16.0);
  // Index 21 = 15.3: 3σ̂ = 5.319, so 15.3 is inside (5.3 < 5.319): no R1.
  firings.clear();
  ASSERT_TRUE(chart.Observe(15.3, firings).ok());
  // ... but 2 of the last 3 (16, 15.3) are beyond 2σ̂ = 3.546 → R5.
  EXPECT_EQ(Keys(firings), (std::vector<Key>{{21, Rule::kR5, Phase::kMonitoring, 0}}));
}

TEST(ControlChart, StartNewStageLearnsANewBaseline) {
  ControlChart chart(NoneConfig(20));
  std::vector<Firing> firings;
  for (double v : Zigzag(20)) ASSERT_TRUE(chart.Observe(v, firings).ok());
  ASSERT_TRUE(chart.Observe(16.0, firings).ok());  // index 20
  const Stage first = *chart.current_stage();

  chart.StartNewStage();
  EXPECT_TRUE(chart.learning());
  EXPECT_FALSE(chart.current_stage().has_value());
  ASSERT_EQ(chart.stages().size(), 1u);  // the old stage is kept with its limits
  firings.clear();
  // Indices 21..40: zigzag 100/102. A window reaching back into stage 0 would see 16 → 100.
  for (double v : Zigzag(20, 100, 102)) ASSERT_TRUE(chart.Observe(v, firings).ok());
  ASSERT_EQ(chart.stages().size(), 2u);
  const Stage second = chart.stages()[1];
  EXPECT_EQ(second.number, 1);
  EXPECT_EQ(second.start_index, 21);
  EXPECT_EQ(second.baseline_size, 20);
  EXPECT_DOUBLE_EQ(second.mean, 101.0);
  EXPECT_DOUBLE_EQ(second.sigma, 2.0 / 1.128);
  EXPECT_EQ(chart.stages()[0].mean, first.mean);
  EXPECT_EQ(chart.stages()[0].sigma, first.sigma);
  std::vector<Key> want;
  AddRun(want, 34, 40, Rule::kR4, Phase::kBaseline, 1);
  AddRun(want, 35, 40, Rule::kR7, Phase::kBaseline, 1);
  SortByIndexThenRule(want);
  EXPECT_EQ(Keys(firings), want);

  // A stage still learning starts over: 10 points, then a new stage, then 20 more.
  chart.StartNewStage();
  firings.clear();
  for (double v : Zigzag(10, 0, 1000)) ASSERT_TRUE(chart.Observe(v, firings).ok());
  chart.StartNewStage();
  for (double v : Zigzag(20, 50, 52)) ASSERT_TRUE(chart.Observe(v, firings).ok());
  ASSERT_EQ(chart.stages().size(), 3u);
  EXPECT_EQ(chart.stages()[2].number, 2);
  EXPECT_EQ(chart.stages()[2].start_index, 51);
  EXPECT_DOUBLE_EQ(chart.stages()[2].mean, 51.0);
  EXPECT_EQ(chart.size(), 71);
}

TEST(ControlChart, StartStageFromAUserPickedBaseline) {
  ControlChart chart(NoneConfig(20));
  std::vector<Firing> firings;
  for (double v : {1.0, 2.0, 3.0}) ASSERT_TRUE(chart.Observe(v, firings).ok());  // learning

  // Too few points or an invalid one: rejected, the chart is unchanged.
  const std::vector<double> one{5.0};
  Status s = chart.StartStageFrom(one);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "too_few_points");
  const std::vector<double> bad{1.0, std::numeric_limits<double>::quiet_NaN()};
  s = chart.StartStageFrom(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "invalid_value");
  EXPECT_TRUE(chart.learning());
  EXPECT_EQ(chart.learning_points(), 3);

  // {1, 2, 3, 4, 5}: μ̂ = 3, MR̄ = 1, σ̂ = 1/1.128; UCL = 3 + 3/1.128 = 5.6596.
  const std::vector<double> good{1, 2, 3, 4, 5};
  ASSERT_TRUE(chart.StartStageFrom(good).ok());
  EXPECT_FALSE(chart.learning());
  ASSERT_TRUE(chart.current_stage().has_value());
  EXPECT_EQ(chart.current_stage()->number, 0);
  EXPECT_EQ(chart.current_stage()->start_index, 3);
  EXPECT_EQ(chart.current_stage()->baseline_size, 5);
  EXPECT_DOUBLE_EQ(chart.current_stage()->mean, 3.0);
  EXPECT_DOUBLE_EQ(chart.current_stage()->sigma, 1.0 / 1.128);
  // The picked points are not reviewed and the stage judges the very next point.
  EXPECT_TRUE(firings.empty());
  ASSERT_TRUE(chart.Observe(5.6, firings).ok());  // index 3
  ASSERT_TRUE(chart.Observe(5.7, firings).ok());  // index 4
  ASSERT_EQ(Keys(firings), (std::vector<Key>{{4, Rule::kR1, Phase::kMonitoring, 0}}));
}

TEST(ControlChart, StartKnownStageNumbersStages) {
  ControlChart chart(NoneConfig(20));
  std::vector<Firing> firings;
  chart.StartKnownStage({10.0, 2.0}, 50);
  ASSERT_TRUE(chart.Observe(10.0, firings).ok());
  chart.StartKnownStage({20.0, 1.0});
  ASSERT_TRUE(chart.Observe(16.5, firings).ok());  // 3.5σ̂ below stage 1's center
  ASSERT_EQ(chart.stages().size(), 2u);
  EXPECT_EQ(chart.stages()[0].baseline_size, 50);
  EXPECT_EQ(chart.stages()[0].start_index, 0);
  EXPECT_EQ(chart.stages()[1].number, 1);
  EXPECT_EQ(chart.stages()[1].start_index, 1);
  ASSERT_EQ(Keys(firings), (std::vector<Key>{{1, Rule::kR1, Phase::kMonitoring, 1}}));
  EXPECT_DOUBLE_EQ(firings[0].deviation, -3.5);
}

TEST(ControlChart, InvalidValuesUnderLogAreRejectedAndTakeNoIndex) {
  ChartConfig config;  // log by default
  config.baseline_size = 20;
  ASSERT_EQ(config.transform, Transform::kLog);
  ControlChart chart(config);
  chart.StartKnownStage({std::log(100.0), 0.1});
  std::vector<Firing> firings;
  ASSERT_TRUE(chart.Observe(100.0, firings).ok());  // index 0
  for (double bad :
       {0.0, -0.0, -5.0, std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    Status s = chart.Observe(bad, firings);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, "invalid_value") << bad;
    EXPECT_EQ(chart.size(), 1) << bad;
  }
  // ln(200) − ln(100) = 0.693 = 6.9σ̂: R1 at index 1, the index after the last valid one.
  ASSERT_TRUE(chart.Observe(200.0, firings).ok());
  ASSERT_EQ(Keys(firings), (std::vector<Key>{{1, Rule::kR1, Phase::kMonitoring, 0}}));
  EXPECT_EQ(firings[0].value, 200.0);  // the original unit
  EXPECT_NEAR(firings[0].deviation, std::log(2.0) / 0.1, 1e-12);

  // While learning too: invalid values do not enter the baseline.
  ControlChart learning(config);
  for (int i = 0; i < 19; ++i) {
    ASSERT_TRUE(learning.Observe(100.0 + i, firings).ok());
    ASSERT_FALSE(learning.Observe(0.0, firings).ok());
  }
  EXPECT_EQ(learning.learning_points(), 19);
  EXPECT_EQ(learning.size(), 19);
}

TEST(ControlChart, NoneTransformAcceptsZeroAndNegativeButNotNonFinite) {
  ControlChart chart(NoneConfig(20));
  std::vector<Firing> firings;
  EXPECT_TRUE(chart.Observe(0.0, firings).ok());
  EXPECT_TRUE(chart.Observe(-1.0, firings).ok());
  Status s = chart.Observe(std::numeric_limits<double>::quiet_NaN(), firings);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "invalid_value");
  EXPECT_FALSE(chart.Observe(std::numeric_limits<double>::infinity(), firings).ok());
  EXPECT_EQ(chart.size(), 2);
}

// ---- σ̂ estimation ----

TEST(Baseline, HandComputedEstimates) {
  // y = {1, 3, 2, 6, 4}: mean 16/5 = 3.2; MR = 2, 1, 4, 2.
  const std::vector<double> y{1, 3, 2, 6, 4};
  //   mr_mean: MR̄ = 9/4 = 2.25, σ̂ = 2.25/1.128
  Estimate e = EstimateBaseline(y, SigmaMethod::kMrMean).value();
  EXPECT_DOUBLE_EQ(e.mean, 3.2);
  EXPECT_DOUBLE_EQ(e.sigma, 2.25 / 1.128);
  //   mr_median: sorted MR 1, 2, 2, 4 → median (2 + 2)/2 = 2, σ̂ = 2/0.954
  e = EstimateBaseline(y, SigmaMethod::kMrMedian).value();
  EXPECT_DOUBLE_EQ(e.mean, 3.2);
  EXPECT_DOUBLE_EQ(e.sigma, 2.0 / 0.954);
  //   stddev: squared deviations 4.84 + 0.04 + 1.44 + 7.84 + 0.64 = 14.8, / 4 = 3.7
  e = EstimateBaseline(y, SigmaMethod::kStdDev).value();
  EXPECT_NEAR(e.sigma, std::sqrt(3.7), 1e-12);

  // Odd number of moving ranges: {1, 3, 2, 6} → MR 2, 1, 4 → median 2.
  const std::vector<double> z{1, 3, 2, 6};
  EXPECT_DOUBLE_EQ(EstimateBaseline(z, SigmaMethod::kMrMedian)->sigma, 2.0 / 0.954);
  // mr_median is robust to one outlier where mr_mean is not: {0, 1, 0, 100, 0, 1, 0}.
  const std::vector<double> w{0, 1, 0, 100, 0, 1, 0};  // MR 1, 1, 100, 100, 1, 1
  EXPECT_DOUBLE_EQ(EstimateBaseline(w, SigmaMethod::kMrMedian)->sigma, 1.0 / 0.954);
  EXPECT_DOUBLE_EQ(EstimateBaseline(w, SigmaMethod::kMrMean)->sigma, 204.0 / 6.0 / 1.128);

  const std::vector<double> single{1.0};
  Result<Estimate> r = EstimateBaseline(single, SigmaMethod::kMrMean);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "too_few_points");
}

TEST(Baseline, ChartUsesTheConfiguredSigmaMethod) {
  // 20 points 10, 11, 12, 13, 10, 11, ...: mean 11.5. MR: 15 of 1 and 4 of 3 (at 4, 8, 12, 16).
  std::vector<double> x;
  for (int i = 0; i < 20; ++i) x.push_back(10.0 + i % 4);
  struct Case {
    SigmaMethod method;
    double sigma;
  };
  for (const Case& c : {Case{SigmaMethod::kMrMean, 27.0 / 19.0 / 1.128},        // MR̄ = 27/19
                        Case{SigmaMethod::kMrMedian, 1.0 / 0.954},              // median MR = 1
                        Case{SigmaMethod::kStdDev, std::sqrt(25.0 / 19.0)}}) {  // Σd² = 25
    ControlChart chart(NoneConfig(20, c.method));
    std::vector<Firing> firings;
    for (double v : x) ASSERT_TRUE(chart.Observe(v, firings).ok());
    ASSERT_TRUE(chart.current_stage().has_value());
    EXPECT_EQ(chart.current_stage()->sigma_method, c.method);
    EXPECT_DOUBLE_EQ(chart.current_stage()->mean, 11.5) << SigmaMethodName(c.method);
    EXPECT_NEAR(chart.current_stage()->sigma, c.sigma, 1e-12) << SigmaMethodName(c.method);
  }
}

TEST(Baseline, LogChartEstimatesOnTheLogScale) {
  ChartConfig config;
  config.baseline_size = 20;
  ControlChart chart(config);
  std::vector<Firing> firings;
  // x alternates 100 and 200: y alternates ln 100 and ln 200; MR = ln 2 every time.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chart.Observe(i % 2 ? 200.0 : 100.0, firings).ok());
  ASSERT_TRUE(chart.current_stage().has_value());
  EXPECT_EQ(chart.current_stage()->transform, Transform::kLog);
  EXPECT_NEAR(chart.current_stage()->mean, (std::log(100.0) + std::log(200.0)) / 2, 1e-12);
  EXPECT_NEAR(chart.current_stage()->sigma, std::log(2.0) / 1.128, 1e-12);
}

TEST(Baseline, ConstantBaselineIsDegenerate) {
  ControlChart chart(NoneConfig(20));
  std::vector<Firing> firings;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chart.Observe(100.0, firings).ok());
  ASSERT_TRUE(chart.current_stage().has_value());
  EXPECT_TRUE(chart.current_stage()->degenerate());
  // R7 would fire over the baseline (all within 0σ̂) were it not off.
  EXPECT_TRUE(firings.empty());
  ASSERT_TRUE(chart.Observe(100.5, firings).ok());
  ASSERT_TRUE(chart.Observe(100.0, firings).ok());
  ASSERT_EQ(Keys(firings), (std::vector<Key>{{20, Rule::kR1, Phase::kMonitoring, 0}}));
  EXPECT_TRUE(std::isnan(firings[0].deviation));
}

// ---- Limits ----

TEST(Limits, LogLimitsAreShownAsymmetricInTheOriginalUnit) {
  Stage s;
  s.transform = Transform::kLog;
  s.mean = std::log(1000.0);
  s.sigma = 0.2;
  const Limits chart = ChartScaleLimits(s, 3);
  EXPECT_DOUBLE_EQ(chart.ucl, std::log(1000.0) + 0.6);
  EXPECT_DOUBLE_EQ(chart.lcl, std::log(1000.0) - 0.6);
  const Limits shown = OriginalUnitLimits(s, 3, true);
  EXPECT_NEAR(shown.center, 1000.0, 1e-9);
  EXPECT_NEAR(shown.ucl, 1000.0 * std::exp(0.6), 1e-9);   // 1822.119
  EXPECT_NEAR(shown.lcl, 1000.0 * std::exp(-0.6), 1e-9);  // 548.812
  EXPECT_NEAR(shown.upper_2s, 1000.0 * std::exp(0.4), 1e-9);
  EXPECT_NEAR(shown.lower_2s, 1000.0 * std::exp(-0.4), 1e-9);
  EXPECT_NEAR(shown.upper_1s, 1000.0 * std::exp(0.2), 1e-9);
  EXPECT_NEAR(shown.lower_1s, 1000.0 * std::exp(-0.2), 1e-9);
  EXPECT_GT(shown.ucl - shown.center, shown.center - shown.lcl);  // 822 above, 451 below
}

TEST(Limits, LogChartLimitsFromALearnedBaseline) {
  // x alternates 100 and 400: μ̂ = ln 200, σ̂ = ln 4/1.128 = 1.2290; UCL = 200 · e^{3σ̂}.
  ChartConfig config;
  config.baseline_size = 20;
  ControlChart chart(config);
  std::vector<Firing> firings;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chart.Observe(i % 2 ? 400.0 : 100.0, firings).ok());
  const Limits shown = OriginalUnitLimits(*chart.current_stage(), 3, true);
  const double sigma = std::log(4.0) / 1.128;
  EXPECT_NEAR(shown.center, 200.0, 1e-9);
  EXPECT_NEAR(shown.ucl, 200.0 * std::exp(3 * sigma), 1e-6);
  EXPECT_NEAR(shown.lcl, 200.0 * std::exp(-3 * sigma), 1e-9);
}

TEST(Limits, NegativeLclIsShownAsZeroForNonNegativeMetrics) {
  Stage s;
  s.transform = Transform::kNone;
  s.mean = 10;
  s.sigma = 5;
  const Limits chart = ChartScaleLimits(s, 3);
  EXPECT_EQ(chart.ucl, 25);
  EXPECT_EQ(chart.lcl, -5);
  EXPECT_EQ(chart.lower_2s, 0);
  EXPECT_EQ(chart.lower_1s, 5);
  const Limits shown = OriginalUnitLimits(s, 3, true);
  EXPECT_EQ(shown.ucl, 25);
  EXPECT_EQ(shown.lcl, 0);
  EXPECT_EQ(shown.lower_2s, 0);
  EXPECT_EQ(shown.lower_1s, 5);
  EXPECT_EQ(shown.center, 10);
  const Limits signed_metric = OriginalUnitLimits(s, 3, false);
  EXPECT_EQ(signed_metric.lcl, -5);

  // The rules still use the computed LCL of −5: −1 is below the shown 0 but does not fire,
  // −5.5 does.
  ChartConfig config = NoneConfig(20);
  config.rules.enabled = Bit(Rule::kR1);
  ControlChart c(config);
  c.StartKnownStage({10.0, 5.0});
  std::vector<Firing> firings;
  ASSERT_TRUE(c.Observe(-1.0, firings).ok());
  ASSERT_TRUE(c.Observe(-5.5, firings).ok());
  EXPECT_EQ(Keys(firings), (std::vector<Key>{{1, Rule::kR1, Phase::kMonitoring, 0}}));
}

// ---- Configuration ----

TEST(Config, ValidateChartConfig) {
  ChartConfig c;
  EXPECT_EQ(c.baseline_size, 100);
  EXPECT_TRUE(Validate(c).ok());
  c.baseline_size = 20;
  EXPECT_TRUE(Validate(c).ok());
  c.baseline_size = 19;
  Status s = Validate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "invalid_chart_config");
  c.baseline_size = 20;
  c.rules.r2_run = 1;
  s = Validate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "invalid_rule_config");
}

TEST(Config, ParseRuleList) {
  Result<RuleConfig> r = ParseRuleList("R1,R2=12,R5=3/4,EWMA");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->enabled, Bit(Rule::kR1) | Bit(Rule::kR2) | Bit(Rule::kR5) | Bit(Rule::kEwma));
  EXPECT_EQ(r->r2_run, 12);
  EXPECT_EQ(r->r5_count, 3);
  EXPECT_EQ(r->r5_window, 4);
  const RuleConfig defaults;
  EXPECT_EQ(r->r1_sigma, defaults.r1_sigma);
  EXPECT_EQ(r->r6_count, defaults.r6_count);
  EXPECT_EQ(r->ewma_lambda, defaults.ewma_lambda);

  r = ParseRuleList("R1=2.5, r8=6, CUSUM=4, EWMA=0.1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->enabled, Bit(Rule::kR1) | Bit(Rule::kR8) | Bit(Rule::kCusum) | Bit(Rule::kEwma));
  EXPECT_EQ(r->r1_sigma, 2.5);
  EXPECT_EQ(r->r8_run, 6);
  EXPECT_EQ(r->cusum_h, 4.0);
  EXPECT_EQ(r->ewma_lambda, 0.1);

  r = ParseRuleList("R9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "unknown_rule");
  r = ParseRuleList("R5=5/3");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_rule_config");
  for (const char* bad :
       {"R2=abc", "R2=1", "R4=2", "R5=3", "R6=0/5", "R2=65", "EWMA=0", "EWMA=1.5", "CUSUM=0"}) {
    r = ParseRuleList(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_rule_config") << bad;
  }
}

TEST(Config, RuleNamesRoundTrip) {
  for (Rule rule : kAllRules) {
    EXPECT_EQ(ParseRuleName(RuleName(rule)), rule);
    EXPECT_FALSE(RuleMeaning(rule).empty());
  }
  EXPECT_FALSE(ParseRuleName("R0").has_value());
}

}  // namespace
}  // namespace llmscope::spc

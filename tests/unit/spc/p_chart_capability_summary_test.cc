// The p-chart of errors (docs/spc.md §6), capability against an SLO (§7) and summary statistics
// (§8) on worked examples: p-chart limits, clipping and the p̄ = 0 case with its Phase I review;
// Cp/Cpk/Pp/Ppk with two limits and one, under `none` and `log`, and the share beyond spec;
// exact nearest-rank percentiles (p95 of 1..100 is 95), medians, error rate, firings per rule;
// compensated sums that match a long double two-pass computation to 1e-9 relative.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "spc/capability.h"
#include "spc/compensated_sum.h"
#include "spc/p_chart.h"
#include "spc/summary.h"

namespace llmscope::spc {
namespace {

// ---- p-chart ----

TEST(PChart, WorkedLimits) {
  // p̄ = 0.1, n = 20: half-width 3 √(0.1 · 0.9 / 20) = 3 · 0.0670820 = 0.2012461.
  PChartLimits l = ComputePChartLimits(0.1, 20, 3);
  EXPECT_DOUBLE_EQ(l.p_bar, 0.1);
  EXPECT_NEAR(l.ucl, 0.1 + 3 * std::sqrt(0.1 * 0.9 / 20), 1e-15);
  EXPECT_NEAR(l.ucl, 0.3012461, 1e-7);
  EXPECT_EQ(l.lcl, 0.0);  // 0.1 − 0.201 clipped at 0
  EXPECT_TRUE(l.estimable);

  // p̄ = 0.5, n = 100: 0.5 ± 0.15, no clipping.
  l = ComputePChartLimits(0.5, 100, 3);
  EXPECT_NEAR(l.ucl, 0.65, 1e-15);
  EXPECT_NEAR(l.lcl, 0.35, 1e-15);

  // p̄ = 0.9, n = 20: UCL 1.101 clipped at 1, LCL 0.9 − 0.201 = 0.699.
  l = ComputePChartLimits(0.9, 20, 3);
  EXPECT_EQ(l.ucl, 1.0);
  EXPECT_NEAR(l.lcl, 0.9 - 3 * std::sqrt(0.9 * 0.1 / 20), 1e-15);

  // p̄ = 0 and p̄ = 1: σ = 0, not estimable.
  l = ComputePChartLimits(0.0, 20, 3);
  EXPECT_FALSE(l.estimable);
  EXPECT_EQ(l.ucl, 0.0);
  EXPECT_EQ(l.lcl, 0.0);
  EXPECT_FALSE(ComputePChartLimits(1.0, 20, 3).estimable);
}

// Feeds one subgroup of `n` calls of which `failed` fail.
void Subgroup(PChart& chart, int n, int failed, std::vector<PChartFiring>& firings) {
  for (int i = 0; i < n; ++i) chart.Observe(i < failed, firings);
}

TEST(PChart, BaselineReviewAndMonitoring) {
  PChart chart(PChartConfig{});  // n = 20, 5 baseline subgroups, k = 3
  std::vector<PChartFiring> firings;
  // Baseline failures 1, 2, 2, 2, 8 of 20: shares 0.05, 0.1, 0.1, 0.1, 0.4; p̄ = 0.15.
  // UCL = 0.15 + 3 √(0.15 · 0.85 / 20) = 0.15 + 0.2395 = 0.3895; LCL = 0.
  for (int failed : {1, 2, 2, 2}) Subgroup(chart, 20, failed, firings);
  Subgroup(chart, 19, 8, firings);
  EXPECT_FALSE(chart.limits().has_value());
  EXPECT_EQ(chart.baseline_shares().size(), 4u);
  EXPECT_TRUE(firings.empty());
  chart.Observe(false, firings);  // call 99 completes the baseline
  ASSERT_TRUE(chart.limits().has_value());
  EXPECT_NEAR(chart.limits()->p_bar, 0.15, 1e-15);
  EXPECT_NEAR(chart.limits()->ucl, 0.15 + 3 * std::sqrt(0.15 * 0.85 / 20), 1e-15);
  EXPECT_EQ(chart.limits()->lcl, 0.0);
  // Phase I: subgroup 4 (0.4 > 0.3895) fires, marked baseline.
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].subgroup, 4);
  EXPECT_EQ(firings[0].last_call_index, 99);
  EXPECT_DOUBLE_EQ(firings[0].p, 0.4);
  EXPECT_EQ(firings[0].phase, Phase::kBaseline);

  // Monitoring: 8 (0.4) fires, 7 (0.35) does not, 0 is not below an LCL of 0 (strict).
  firings.clear();
  Subgroup(chart, 20, 8, firings);
  Subgroup(chart, 20, 7, firings);
  Subgroup(chart, 20, 0, firings);
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].subgroup, 5);
  EXPECT_EQ(firings[0].last_call_index, 119);
  EXPECT_EQ(firings[0].phase, Phase::kMonitoring);
  EXPECT_EQ(chart.calls(), 160);
}

TEST(PChart, ZeroPBarIsNotEstimableAndAnyFailedSubgroupFires) {
  PChart chart(PChartConfig{});
  std::vector<PChartFiring> firings;
  for (int j = 0; j < 5; ++j) Subgroup(chart, 20, 0, firings);
  ASSERT_TRUE(chart.limits().has_value());
  EXPECT_FALSE(chart.limits()->estimable);
  EXPECT_EQ(chart.limits()->p_bar, 0.0);
  EXPECT_TRUE(firings.empty());
  Subgroup(chart, 20, 0, firings);  // subgroup 5
  Subgroup(chart, 20, 1, firings);  // subgroup 6: one failure of 20
  Subgroup(chart, 20, 0, firings);  // subgroup 7
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].subgroup, 6);
  EXPECT_EQ(firings[0].last_call_index, 139);
  EXPECT_DOUBLE_EQ(firings[0].p, 0.05);
}

TEST(PChart, ValidateConfig) {
  EXPECT_TRUE(Validate(PChartConfig{}).ok());
  PChartConfig c;
  c.subgroup_size = 1;
  EXPECT_FALSE(Validate(c).ok());
  c = PChartConfig{};
  c.baseline_subgroups = 0;
  EXPECT_FALSE(Validate(c).ok());
  c = PChartConfig{};
  c.k = 0;
  EXPECT_FALSE(Validate(c).ok());
}

// ---- Capability ----

Stage NoneStage(double mean, double sigma) {
  Stage s;
  s.transform = Transform::kNone;
  s.mean = mean;
  s.sigma = sigma;
  return s;
}

Stage LogStage(double mean, double sigma) {
  Stage s = NoneStage(mean, sigma);
  s.transform = Transform::kLog;
  return s;
}

TEST(Capability, TwoSidedUnderNone) {
  // μ̂ = 100, σ̂ = 10, LSL 60, USL 160: Cp = 100/60 = 1.6667, Cpk = min(60, 40)/30 = 1.3333.
  // Window {90, 110}: s = √200 = 14.142; Pp = 100/84.853 = 1.1785, Ppk = 40/42.426 = 0.9428.
  const std::vector<double> window{90, 110};
  Result<Capability> c = ComputeCapability(window, NoneStage(100, 10), {160.0, 60.0});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NEAR(*c->cp, 100.0 / 60.0, 1e-12);
  EXPECT_NEAR(*c->cpk, 40.0 / 30.0, 1e-12);
  EXPECT_NEAR(*c->pp, 100.0 / (6 * std::sqrt(200.0)), 1e-12);
  EXPECT_NEAR(*c->ppk, 40.0 / (3 * std::sqrt(200.0)), 1e-12);
  EXPECT_EQ(c->share_beyond_spec, 0.0);
  EXPECT_EQ(c->n, 2);
}

TEST(Capability, ShareBeyondSpecAndPpkAroundTheStageCenter) {
  // Window {50, 90, 110, 170}: 50 < LSL and 170 > USL → share 0.5. Its mean is 105 and
  // s = √(7500/3) = 50. Ppk keeps the stage's μ̂ = 100 (capability.h): min(60, 40)/150.
  const std::vector<double> window{50, 90, 110, 170};
  Result<Capability> c = ComputeCapability(window, NoneStage(100, 10), {160.0, 60.0});
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->share_beyond_spec, 0.5);
  EXPECT_NEAR(*c->pp, 100.0 / 300.0, 1e-12);
  EXPECT_NEAR(*c->ppk, 40.0 / 150.0, 1e-12);
  // A point exactly on a spec limit is not beyond it.
  const std::vector<double> edge{60, 160, 100, 161};
  EXPECT_DOUBLE_EQ(ComputeCapability(edge, NoneStage(100, 10), {160.0, 60.0})->share_beyond_spec,
                   0.25);
}

TEST(Capability, OneSided) {
  const std::vector<double> window{90, 110};
  // Upper only: Cp and Pp undefined; Cpk = (160 − 100)/30 = 2.
  Result<Capability> c = ComputeCapability(window, NoneStage(100, 10), {160.0, std::nullopt});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->cp.has_value());
  EXPECT_FALSE(c->pp.has_value());
  EXPECT_NEAR(*c->cpk, 2.0, 1e-12);
  EXPECT_NEAR(*c->ppk, 60.0 / (3 * std::sqrt(200.0)), 1e-12);
  // Lower only: Cpk = (100 − 85)/30 = 0.5; 85 ≤ 90, nothing beyond.
  c = ComputeCapability(window, NoneStage(100, 10), {std::nullopt, 85.0});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->cp.has_value());
  EXPECT_NEAR(*c->cpk, 0.5, 1e-12);
  EXPECT_EQ(c->share_beyond_spec, 0.0);
  // A process centred outside spec has a negative Cpk.
  c = ComputeCapability(window, NoneStage(100, 10), {70.0, std::nullopt});
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(*c->cpk, -1.0, 1e-12);
  EXPECT_EQ(c->share_beyond_spec, 1.0);
}

TEST(Capability, LogTransformsTheSpecLimits) {
  // μ̂ = ln 1000, σ̂ = 0.2; LSL 500, USL 5000 on the log scale:
  //   Cp = (ln 5000 − ln 500)/1.2 = ln 10/1.2 = 1.9188
  //   Cpk = min(ln 5, ln 2)/0.6 = 0.6931/0.6 = 1.1552
  // Window 1000·e^{∓0.3}: s = √(2 · 0.09) = 0.42426;
  //   Pp = ln 10/(6 · 0.42426) = 0.9045, Ppk = ln 2/(3 · 0.42426) = 0.5446.
  const std::vector<double> window{1000 * std::exp(-0.3), 1000 * std::exp(0.3)};
  Result<Capability> c =
      ComputeCapability(window, LogStage(std::log(1000.0), 0.2), {5000.0, 500.0});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_NEAR(*c->cp, std::log(10.0) / 1.2, 1e-12);
  EXPECT_NEAR(*c->cpk, std::log(2.0) / 0.6, 1e-12);
  EXPECT_NEAR(*c->pp, std::log(10.0) / (6 * std::sqrt(0.18)), 1e-12);
  EXPECT_NEAR(*c->ppk, std::log(2.0) / (3 * std::sqrt(0.18)), 1e-12);
  EXPECT_EQ(c->share_beyond_spec, 0.0);

  // Upper only, "e2e_ms ≤ 5000": Cpk = ln 5/0.6 = 2.6824. Share beyond is counted in ms.
  const std::vector<double> latencies{400, 1000, 6000, 2000};
  c = ComputeCapability(latencies, LogStage(std::log(1000.0), 0.2), {5000.0, std::nullopt});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->cp.has_value());
  EXPECT_NEAR(*c->cpk, std::log(5.0) / 0.6, 1e-12);
  EXPECT_DOUBLE_EQ(c->share_beyond_spec, 0.25);
}

TEST(Capability, Errors) {
  const std::vector<double> window{90, 110};
  Result<Capability> c = ComputeCapability(window, NoneStage(100, 10), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "invalid_spec");
  c = ComputeCapability(window, NoneStage(100, 10), {60.0, 60.0});  // LSL ≥ USL
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "invalid_spec");
  c = ComputeCapability(window, LogStage(4.6, 0.2), {0.0, std::nullopt});  // ln 0
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "invalid_spec");
  const std::vector<double> bad{90, 0};
  c = ComputeCapability(bad, LogStage(4.6, 0.2), {200.0, std::nullopt});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "invalid_value");
  // σ̂ = 0 and a one-point window (s undefined): the indices are left out, not infinite.
  const std::vector<double> one{100};
  c = ComputeCapability(one, NoneStage(100, 0), {160.0, 60.0});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->cp.has_value());
  EXPECT_FALSE(c->cpk.has_value());
  EXPECT_FALSE(c->pp.has_value());
  EXPECT_FALSE(c->ppk.has_value());
}

// ---- Summary ----

TEST(Summary, NearestRankOnOneToHundred) {
  std::vector<double> x;
  for (int i = 1; i <= 100; ++i) x.push_back(i);
  std::shuffle(x.begin(), x.end(), std::mt19937_64(42));
  const Summary s = Summarize(x);
  EXPECT_EQ(s.count, 100);
  EXPECT_EQ(s.p50, 50);
  EXPECT_EQ(s.p95, 95);  // rank ⌈0.95 · 100⌉ = 95, not 96
  EXPECT_EQ(s.p99, 99);
  EXPECT_EQ(s.median, 50.5);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 100);
  EXPECT_NEAR(s.stddev, std::sqrt(100.0 * 101.0 / 12.0), 1e-12);  // sample σ of 1..n
  EXPECT_FALSE(s.error_rate.has_value());
}

TEST(Summary, NearestRankOnSmallWindows) {
  // n = 20 (1..20): p50 rank 10, p95 rank 19, p99 rank ⌈19.8⌉ = 20.
  std::vector<double> x;
  for (int i = 20; i >= 1; --i) x.push_back(i);
  Summary s = Summarize(x);
  EXPECT_EQ(s.p50, 10);
  EXPECT_EQ(s.p95, 19);
  EXPECT_EQ(s.p99, 20);
  // n = 1000: 500, 950, 990.
  x.clear();
  for (int i = 1000; i >= 1; --i) x.push_back(i);
  s = Summarize(x);
  EXPECT_EQ(s.p50, 500);
  EXPECT_EQ(s.p95, 950);
  EXPECT_EQ(s.p99, 990);
  // n = 3 {5, 1, 3}: p50 rank ⌈1.5⌉ = 2 → 3; p95 rank ⌈2.85⌉ = 3 → 5; median 3.
  const std::vector<double> three{5, 1, 3};
  s = Summarize(three);
  EXPECT_EQ(s.p50, 3);
  EXPECT_EQ(s.p95, 5);
  EXPECT_EQ(s.p99, 5);
  EXPECT_EQ(s.median, 3);
  // n = 4 {4, 1, 3, 2}: median (2 + 3)/2 = 2.5 but p50 (a rank) is 2; p95 rank 4.
  const std::vector<double> four{4, 1, 3, 2};
  s = Summarize(four);
  EXPECT_EQ(s.median, 2.5);
  EXPECT_EQ(s.p50, 2);
  EXPECT_EQ(s.p95, 4);
  // n = 1: every statistic is the value; σ is 0.
  const std::vector<double> one{7};
  s = Summarize(one);
  EXPECT_EQ(s.p50, 7);
  EXPECT_EQ(s.p99, 7);
  EXPECT_EQ(s.median, 7);
  EXPECT_EQ(s.stddev, 0);
  // Direct: the smallest rank is 1.
  const std::vector<double> sorted{1, 2, 3};
  EXPECT_EQ(NearestRankPercentile(sorted, 1), 1);
  EXPECT_EQ(NearestRankPercentile(sorted, 100), 3);
  EXPECT_EQ(NearestRankPercentile(sorted, 33.4), 2);  // ⌈1.002⌉ = 2
}

TEST(Summary, ErrorRateAndFiringsByRule) {
  const std::vector<double> values{1, 2, 3};
  const std::vector<uint8_t> failed{0, 1, 0, 0, 1};
  const std::vector<Firing> firings{Firing{3, Rule::kR1}, Firing{8, Rule::kR2},
                                    Firing{9, Rule::kR2},
                                    Firing{9, Rule::kCusum, Phase::kBaseline}};
  const Summary s = Summarize(values, failed, firings);
  ASSERT_TRUE(s.error_rate.has_value());
  EXPECT_DOUBLE_EQ(*s.error_rate, 0.4);
  EXPECT_EQ(s.firings_by_rule[static_cast<size_t>(Rule::kR1)], 1);
  EXPECT_EQ(s.firings_by_rule[static_cast<size_t>(Rule::kR2)], 2);
  EXPECT_EQ(s.firings_by_rule[static_cast<size_t>(Rule::kR5)], 0);
  EXPECT_EQ(s.firings_by_rule[static_cast<size_t>(Rule::kCusum)], 1);
}

TEST(Summary, EmptyWindowIsAllZero) {
  const Summary s = Summarize({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.mean, 0);
  EXPECT_EQ(s.p95, 0);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_FALSE(s.error_rate.has_value());
}

// ---- Compensated sums ----

TEST(CompensatedSum, RecoversWhatNaiveSummationLoses) {
  CompensatedSum s;
  for (double v : {1.0, 1e100, 1.0, -1e100}) s.Add(v);
  EXPECT_EQ(s.value(), 2.0);  // naive summation gives 0
  CompensatedSum t;
  for (int i = 0; i < 10; ++i) t.Add(0.1);
  EXPECT_EQ(t.value(), 1.0);  // naive: 0.9999999999999999
}

TEST(CompensatedSum, AgreesWithLongDoubleTwoPassOnLargeOffsets) {
  // 10⁶ values around 10⁹ with noise of σ = 1: sums reach 10¹⁵ and the noise sits 9 decades
  // below the values.
  std::mt19937_64 rng(1234);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> x(1'000'000);
  for (double& v : x) v = 1e9 + noise(rng);

  long double sum = 0;
  for (double v : x) sum += v;
  const long double mean = sum / x.size();
  long double squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  const long double sd = std::sqrt(squares / (x.size() - 1));

  const double m = Mean(x);
  const double s = SampleStdDev(x, m);
  EXPECT_LE(std::fabs((m - mean) / mean), 1e-9);
  EXPECT_LE(std::fabs((s - sd) / sd), 1e-9);
  const Summary summary = Summarize(x);
  EXPECT_LE(std::fabs((summary.mean - mean) / mean), 1e-9);
  EXPECT_LE(std::fabs((summary.stddev - sd) / sd), 1e-9);
}

}  // namespace
}  // namespace llmscope::spc

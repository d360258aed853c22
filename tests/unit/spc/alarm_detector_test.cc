// The alarm detectors (docs/spc.md §9) on hand-made and seeded data: what they estimate, that a
// healthy week of every shape raises no alert, and that each incident type is alerted in time.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <vector>

#include "spc/error_surge_detector.h"
#include "spc/shift_detector.h"
#include "support/latency_shapes.h"

namespace llmscope::spc {
namespace {

using llmscope::testing::HealthyShapes;
using llmscope::testing::LatencyGenerator;
using llmscope::testing::LatencyShape;

constexpr int64_t kStepMs = 2000;  // a 2 s probe
constexpr int64_t kMinute = 60000 / kStepMs;
constexpr int64_t kHour = 60 * kMinute;

TEST(ShiftDetector, TrimmedMeanDropsAFifthAtEachEnd) {
  std::vector<double> v{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  EXPECT_DOUBLE_EQ(TrimmedMean(v, 0.2), 5.5);  // mean of 3..8
  std::vector<double> outlier{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100};
  EXPECT_DOUBLE_EQ(TrimmedMean(outlier, 0.2), 1.0);
}

TEST(ShiftDetector, LearnsItsBaselineBetweenSubgroups) {
  // Subgroups of 2 points with equal values: each statistic is that value (log scale). Levels
  // alternate e^{±0.1} so the statistics are ±0.1 around 0: μ̂ = 0, σ̂ = sample σ of ±0.1
  // (n = 10: √(10 · 0.01 / 9) = 0.10541). The 11th subgroup's z is judged against them.
  ShiftDetectorConfig c;
  c.subgroup_size = 2;
  c.baseline_subgroups = 10;
  ShiftDetector d(c);
  int64_t i = 0;
  for (int g = 0; g < 10; ++g) {
    const double x = std::exp(g % 2 == 0 ? 0.1 : -0.1);
    EXPECT_FALSE(d.Observe(i, i * kStepMs, x).has_value());
    ++i;
    std::optional<SubgroupVerdict> v = d.Observe(i, i * kStepMs, x);
    ++i;
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->first_index, i - 2);
    EXPECT_FALSE(v->signal);
  }
  ASSERT_FALSE(d.learning());
  EXPECT_NEAR(d.mean(), 0, 1e-12);
  EXPECT_NEAR(d.sigma(), std::sqrt(0.1 / 9), 1e-12);
  EXPECT_DOUBLE_EQ(d.interval_ms(), kStepMs);
  EXPECT_FALSE(d.Observe(i, i * kStepMs, 1.0).has_value());
  std::optional<SubgroupVerdict> v = d.Observe(i + 1, (i + 1) * kStepMs, std::exp(0.2));
  ASSERT_TRUE(v.has_value());
  EXPECT_NEAR(v->z, 0.1 / std::sqrt(0.1 / 9), 1e-9);  // trimmed mean of {0, 0.2} = 0.1
  EXPECT_DOUBLE_EQ(v->level, std::exp(0.1));
  EXPECT_EQ(d.Observe(i + 2, 0, -1.0), std::nullopt);  // ≤ 0: ignored
}

TEST(ShiftDetector, AnIncidentInTheBaselineDoesNotWidenIt) {
  // 40 baseline subgroups, three of them ×3 slower: they are dropped from μ̂ and σ̂.
  ShiftDetector clean({}), dirty({});
  LatencyGenerator a({"narrow"}, 300, 1), b({"narrow"}, 300, 1);
  for (int64_t i = 0; i < 600; ++i) {
    const double t = static_cast<double>(i * kStepMs) / 1000;
    clean.Observe(i, i * kStepMs, a.Next(t));
    dirty.Observe(i, i * kStepMs, b.Next(t, i >= 150 && i < 195 ? 3.0 : 1.0));
  }
  ASSERT_FALSE(dirty.learning());
  EXPECT_LT(dirty.sigma(), clean.sigma() * 1.3);
  EXPECT_NEAR(dirty.mean(), clean.mean(), 0.02);
}

// Runs the generator through a detector for `points` points; the incident (a multiplier of
// time since it began) starts at `start`. Returns the first signal's index and rule.
struct FirstSignal {
  int64_t index = -1;
  std::optional<Rule> rule;
  int64_t onset = -1;
  int signals = 0;
};
template <typename Factor>
FirstSignal RunDetector(const LatencyShape& shape, uint64_t seed, int64_t points, int64_t start,
                Factor factor, BadDirection bad = BadDirection::kUp) {
  ShiftDetectorConfig c;
  c.bad = bad;
  ShiftDetector d(c);
  LatencyGenerator g(shape, 300, seed);
  FirstSignal first;
  for (int64_t i = 0; i < points; ++i) {
    const double t = static_cast<double>(i * kStepMs) / 1000;
    const double f = i >= start ? factor(static_cast<double>((i - start) * kStepMs) / 1000) : 1.0;
    double x = g.Next(t, f);
    if (bad == BadDirection::kDown) x = 1e4 / x;  // tokens/s: the rate falls as latency rises
    std::optional<SubgroupVerdict> v = d.Observe(i, i * kStepMs, x);
    if (v && v->signal) {
      ++first.signals;
      if (first.index < 0) {
        first.index = i;
        first.rule = v->signal;
        first.onset = v->onset_index;
      }
    }
  }
  return first;
}

TEST(ShiftDetector, AHealthyWeekOfEveryShapeRaisesNoAlert) {
  for (const LatencyShape& shape : HealthyShapes()) {
    for (uint64_t seed : {11u, 12u}) {
      const FirstSignal s =
          RunDetector(shape, seed, 7 * 24 * kHour, INT64_MAX, [](double) { return 1.0; });
      EXPECT_EQ(s.signals, 0) << shape.name << " seed " << seed << " first at " << s.index;
    }
  }
}

TEST(ShiftDetector, ASustainedTwentyPercentRegressionIsAlertedWithinFiveMinutes) {
  // On average within 5 minutes, each within 5 (i.i.d.) or 8 (autocorrelated: its subgroups
  // vary more, so it takes longer) minutes.
  const int64_t start = 6 * kHour + 7;  // not on a subgroup boundary
  for (const char* name : {"narrow", "ar1"}) {
    LatencyShape shape;
    for (const LatencyShape& s : HealthyShapes()) {
      if (s.name == name) shape = s;
    }
    const int64_t bound = shape.phi == 0 ? 5 * kMinute : 8 * kMinute;
    int64_t total = 0;
    for (uint64_t seed : {21u, 22u, 23u, 24u, 25u}) {
      const FirstSignal s =
          RunDetector(shape, seed, start + 2 * kHour, start, [](double) { return 1.2; });
      ASSERT_GE(s.index, start) << name << " seed " << seed;
      EXPECT_LE(s.index - start, bound) << name << " seed " << seed;
      total += s.index - start;
      EXPECT_EQ(s.rule, Rule::kShift);
      EXPECT_EQ(s.signals, 1) << "one episode for one sustained shift";
      // The CUSUM's estimate of the onset: within a few subgroups of the truth.
      EXPECT_NEAR(static_cast<double>(s.onset), static_cast<double>(start), 6.0 * 15);
    }
    EXPECT_LE(total / 5, 5 * kMinute) << name;
  }
}

TEST(ShiftDetector, TtftDoublingIsAJumpWithinOneMinute) {
  const int64_t start = 6 * kHour + 3;
  for (uint64_t seed : {31u, 32u, 33u}) {
    const FirstSignal s =
        RunDetector({"narrow"}, seed, start + kHour, start, [](double) { return 2.0; });
    ASSERT_GE(s.index, start);
    EXPECT_LE(s.index - start, kMinute);
    EXPECT_EQ(s.rule, Rule::kJump);
  }
}

TEST(ShiftDetector, ADriftToFortyPercentOverAnHourIsAlertedWithinThirtyMinutes) {
  const int64_t start = 6 * kHour;
  for (uint64_t seed : {41u, 42u, 43u}) {
    const FirstSignal s = RunDetector({"narrow"}, seed, start + 2 * kHour, start,
                              [](double t) { return 1 + 0.4 * std::min(1.0, t / 3600); });
    ASSERT_GE(s.index, start);
    EXPECT_LE(s.index - start, 30 * kMinute);
  }
}

TEST(ShiftDetector, TokensPerSecondIsJudgedDownwards) {
  const int64_t start = 6 * kHour;
  // The rate falling by 1/1.2 is a regression; the rate rising is not.
  const FirstSignal slower = RunDetector({"narrow"}, 51, start + kHour, start,
                                 [](double) { return 1.2; }, BadDirection::kDown);
  ASSERT_GE(slower.index, start);
  EXPECT_LE(slower.index - start, 5 * kMinute);
  const FirstSignal faster = RunDetector({"narrow"}, 51, start + kHour, start,
                                 [](double) { return 1 / 1.5; }, BadDirection::kDown);
  EXPECT_EQ(faster.signals, 0);
}

TEST(ShiftDetector, AnEpisodeEndsWhenTheLevelIsBackAndTheNextShiftSignalsAgain) {
  const int64_t start = 6 * kHour;
  auto twice = [](double t) { return (t < 1800 || t > 3600) ? 1.3 : 1.0; };
  const FirstSignal s = RunDetector({"narrow"}, 61, start + 2 * kHour, start, twice);
  EXPECT_EQ(s.signals, 2);
}

TEST(ShiftDetector, OneOutlyingSubgroupCannotMakeAShift) {
  // A whole subgroup ×1.4 (below the JUMP level): the CUSUM takes at most h/2 from it.
  ShiftDetector d({});
  LatencyGenerator g({"narrow", 0.05}, 300, 71);
  int signals = 0;
  for (int64_t i = 0; i < 2 * kHour; ++i) {
    const double f = (i >= 900 && i < 915) ? 1.4 : 1.0;
    std::optional<SubgroupVerdict> v = d.Observe(i, i * kStepMs, g.Next(0, f));
    signals += v && v->signal ? 1 : 0;
  }
  EXPECT_EQ(signals, 0);
}

TEST(ShiftDetector, ItsFalseAlertFigureMatchesSimulation) {
  // A budget high enough to count (300 per 30 days), no tolerance and a guard at the estimates
  // (confidence ½), a long baseline (1000 subgroups) so that the estimates are close to the
  // truth, and a wide series (log-sd 0.5) so that the reference value k is near 0.7σ̂ and false
  // alerts are frequent enough to count: three i.i.d. series of 10 days each signal as often as
  // the design expects, within 25 % (the count's own Poisson error is about 7 %).
  ShiftDetectorConfig c;
  c.baseline_subgroups = 1000;
  c.budget.false_alerts_per_30d = 300;
  c.budget.tolerance = 0;
  c.budget.confidence = 0.5;
  double expected = 0;
  int observed = 0;
  for (uint64_t seed : {91u, 92u, 93u}) {
    ShiftDetector d(c);
    LatencyGenerator g({"wide", 0.5}, 300, seed);
    const int64_t baseline_points = int64_t{1000} * 15;
    const int64_t points = baseline_points + 10 * 24 * kHour;
    for (int64_t i = 0; i < points; ++i) {
      std::optional<SubgroupVerdict> v = d.Observe(i, i * kStepMs, g.Next(0));
      observed += v && v->signal ? 1 : 0;
    }
    expected += d.design()->expected_false_alerts_per_30d * 10 / 30;
  }
  ASSERT_GT(expected, 100);
  EXPECT_NEAR(observed / expected, 1.0, 0.25) << observed << " observed, " << expected;
  std::printf("false alerts: %d observed, %.1f expected\n", observed, expected);
}

TEST(ShiftDetector, ItsDetectionDelayFigureMatchesSimulation) {
  // One series, twenty ×1.2 regressions of 20 minutes, 40 minutes apart: the mean delay to the
  // alert is the one the series reports, within 30 %.
  ShiftDetector d({});
  LatencyGenerator g({"narrow"}, 300, 95);
  const int64_t period = kHour, first = 2 * kHour;
  double total_delay = 0;
  int detected = 0;
  int64_t current_start = -1;
  for (int64_t i = 0; i < first + 20 * period; ++i) {
    const int64_t since = i - first;
    const bool shifted = since >= 0 && since % period < 20 * kMinute;
    if (shifted && since % period == 0) current_start = i;
    std::optional<SubgroupVerdict> v = d.Observe(i, i * kStepMs, g.Next(0, shifted ? 1.2 : 1.0));
    if (v && v->signal && current_start >= 0) {
      total_delay += static_cast<double>((i - current_start) * kStepMs);
      ++detected;
      current_start = -1;
    }
  }
  ASSERT_EQ(detected, 20);
  EXPECT_NEAR(total_delay / detected / d.design()->detection_delay_ms, 1.0, 0.3);
  std::printf("delay: %.0f ms measured, %.0f ms expected\n", total_delay / detected,
              d.design()->detection_delay_ms);
}

TEST(ErrorSurgeDetector, ZeroToFivePercentIsAlertedWithinFiveMinutesAndHealthyIsSilent) {
  for (uint64_t seed : {81u, 82u, 83u}) {
    std::mt19937_64 rng(seed);
    ErrorSurgeDetector d({});
    const int64_t start = kHour, end = 7 * 24 * kHour;
    int64_t first = -1;
    int before = 0;
    for (int64_t i = 0; i < end && first < 0; ++i) {
      // A healthy week at 0.1 % (transient blips), then 5 %.
      const bool late = i >= end - kHour;
      const double p = late ? 0.05 : 0.001;
      const CallVerdict v = d.Observe(i, i * kStepMs, std::bernoulli_distribution(p)(rng));
      if (v.signal && !late) ++before;
      if (v.signal && late) first = i - (end - kHour);
    }
    (void)start;
    EXPECT_EQ(before, 0) << seed;
    ASSERT_GE(first, 0) << seed;
    EXPECT_LE(first, 5 * kMinute) << seed;
  }
}

}  // namespace
}  // namespace llmscope::spc

// Streaming evaluation (ControlChart, StreamingRuleEvaluator) and batch evaluation from the
// window definitions (AnalyzeBatch, JudgeStageWindow) give exactly the same firings (docs/spc.md
// §5).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "spc/batch_analysis.h"
#include "spc/control_chart.h"
#include "spc/streaming_rules.h"
#include "spc/window_rules.h"

namespace llmscope::spc {
namespace {

RuleConfig AllRulesOn() {
  RuleConfig c;
  c.enabled = 0x03FF;
  return c;
}

bool SameFiring(const Firing& a, const Firing& b) {
  return a.index == b.index && a.rule == b.rule && a.phase == b.phase && a.stage == b.stage &&
         a.value == b.value &&
         (a.deviation == b.deviation || (std::isnan(a.deviation) && std::isnan(b.deviation)));
}

// Series with the patterns the rules look for: shifts, drifts, oscillation, calm stretches,
// repeated values (zero steps, points on the center) and spikes.
std::vector<double> PatternedSeries(std::mt19937_64& rng, int n) {
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_int_distribution<int> pick(0, 6);
  std::vector<double> x;
  while (static_cast<int>(x.size()) < n) {
    const int kind = pick(rng);
    const int len = 5 + static_cast<int>(rng() % 20);
    for (int k = 0; k < len; ++k) {
      double v = noise(rng);
      switch (kind) {
        case 1:
          v += 2.0;
          break;  // shift
        case 2:
          v = 0.3 * k + 0.2 * v;
          break;  // drift
        case 3:
          v = (k % 2 ? 1.5 : -1.5) + 0.1 * v;
          break;  // oscillation
        case 4:
          v *= 0.2;
          break;  // calm
        case 5:
          v = std::round(v);
          break;  // ties and exact center hits
        case 6:
          v = k == 0 ? 6.0 : v;
          break;  // spike
        default:
          break;
      }
      x.push_back(100.0 + 10.0 * v);
    }
  }
  x.resize(n);
  return x;
}

TEST(StreamingBatchAgreement, RandomSeriesGiveIdenticalFirings) {
  std::mt19937_64 rng(20261123);
  std::array<int, kRuleCount> seen{};  // the comparison means something only if rules fire
  for (int trial = 0; trial < 200; ++trial) {
    ChartConfig config;
    config.baseline_size = 20 + static_cast<int>(rng() % 80);
    config.transform = trial % 2 ? Transform::kLog : Transform::kNone;
    config.sigma_method = static_cast<SigmaMethod>(trial % 3);
    config.rules = AllRulesOn();
    const std::vector<double> x = PatternedSeries(rng, 400);

    ControlChart chart(config);
    std::vector<Firing> streamed;
    for (double v : x) ASSERT_TRUE(chart.Observe(v, streamed).ok());
    Result<SeriesAnalysis> batch = AnalyzeBatch(x, config);
    ASSERT_TRUE(batch.ok());

    ASSERT_EQ(streamed.size(), batch->firings.size()) << "trial " << trial;
    for (size_t i = 0; i < streamed.size(); ++i) {
      EXPECT_TRUE(SameFiring(streamed[i], batch->firings[i]))
          << "trial " << trial << " firing " << i << ": streamed index " << streamed[i].index
          << " rule " << RuleName(streamed[i].rule) << ", batch index " << batch->firings[i].index
          << " rule " << RuleName(batch->firings[i].rule);
    }
    for (const Firing& f : streamed) ++seen[static_cast<size_t>(f.rule)];
    ASSERT_EQ(chart.stages().size(), 1u);
    EXPECT_EQ(chart.stages()[0].mean, batch->stage.mean);
    EXPECT_EQ(chart.stages()[0].sigma, batch->stage.sigma);
  }
  for (Rule r : kAllRules) EXPECT_GT(seen[static_cast<size_t>(r)], 0) << RuleName(r);
}

TEST(StreamingBatchAgreement, NonDefaultRuleParametersAgree) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    RuleConfig c = AllRulesOn();
    c.r1_sigma = 2.5;
    c.r2_run = 2 + static_cast<int>(rng() % 12);
    c.r3_run = 2 + static_cast<int>(rng() % 8);
    c.r4_run = 3 + static_cast<int>(rng() % 14);
    c.r5_window = 2 + static_cast<int>(rng() % 6);
    c.r5_count = 1 + static_cast<int>(rng() % c.r5_window);
    c.r6_window = 2 + static_cast<int>(rng() % 10);
    c.r6_count = 1 + static_cast<int>(rng() % c.r6_window);
    c.r7_run = 2 + static_cast<int>(rng() % 20);
    c.r8_run = 2 + static_cast<int>(rng() % 10);
    c.ewma_lambda = 0.05 + 0.9 * static_cast<double>(rng() % 1000) / 1000.0;
    c.cusum_h = 1 + static_cast<double>(rng() % 8);
    ASSERT_TRUE(Validate(c).ok());
    const std::vector<double> y = PatternedSeries(rng, 300);
    StreamingRuleEvaluator streaming(c, 100.0, 10.0);
    const std::vector<RuleMask> batch = JudgeStageWindow(y, c, 100.0, 10.0);
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(streaming.Push(y[i]), batch[i]) << "trial " << trial << " point " << i;
    }
  }
}

TEST(StreamingBatchAgreement, DegenerateStageAgrees) {
  RuleConfig c = AllRulesOn();
  std::vector<double> y = {5, 5, 6, 7, 8, 9, 10, 11, 5, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4};
  StreamingRuleEvaluator streaming(c, 5.0, 0.0);
  const std::vector<RuleMask> batch = JudgeStageWindow(y, c, 5.0, 0.0);
  for (size_t i = 0; i < y.size(); ++i) EXPECT_EQ(streaming.Push(y[i]), batch[i]) << i;
}

}  // namespace
}  // namespace llmscope::spc

// Rules changed within a stage (StreamingRuleEvaluator::SetRules, ControlChart::SetRules;
// docs/spc.md §3): the run and window rules judge the next points as if the new rules had held
// since the stage began, and the limits stay.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "spc/control_chart.h"
#include "spc/streaming_rules.h"

namespace llmscope::spc {
namespace {

RuleConfig Rules(const char* list) {
  return ParseRuleList(list).value();
}

TEST(RulesChange, RunAndWindowRulesJudgeAsIfTheyHadHeldSinceTheStageBegan) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> y;
  for (int i = 0; i < 3000; ++i) y.push_back(noise(rng) + (i % 400 < 40 ? 1.5 : 0));
  const RuleConfig all = Rules("R1,R2,R3,R4,R5,R6,R7,R8");
  const RuleConfig later = Rules("R1,R2=7,R5=3/4,R6=3/5,R7,R8=5");
  StreamingRuleEvaluator always(later, 0, 1);
  StreamingRuleEvaluator changed(all, 0, 1);
  for (size_t i = 0; i < y.size(); ++i) {
    if (i == 1000) changed.SetRules(later);
    const RuleMask a = always.Push(y[i]);
    const RuleMask b = changed.Push(y[i]);
    if (i >= 1000) {
      ASSERT_EQ(a, b) << "point " << i;
    }
  }
}

TEST(RulesChange, AChartKeepsItsLimitsAndTheNextStageKeepsTheRules) {
  ChartConfig config;
  config.transform = Transform::kNone;
  config.baseline_size = 20;
  ControlChart chart(config);
  std::vector<Firing> firings;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(chart.Observe(10 + (i % 2), firings).ok());
  const Stage before = *chart.current_stage();
  chart.SetRules(Rules("R2"));
  firings.clear();
  ASSERT_TRUE(chart.Observe(1000, firings).ok());
  EXPECT_TRUE(firings.empty()) << "R1 is off";
  EXPECT_EQ(chart.current_stage()->mean, before.mean);
  ChartConfig bigger = config;
  bigger.baseline_size = 30;
  bigger.rules = chart.config().rules;
  chart.StartNewStage(bigger);
  EXPECT_EQ(chart.config().baseline_size, 30);
  EXPECT_EQ(chart.config().rules.enabled, Bit(Rule::kR2));
}

}  // namespace
}  // namespace llmscope::spc

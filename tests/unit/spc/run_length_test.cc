// The in-control average run length of R1 (docs/spc.md §5): on N(0, 1) data judged against a known
// μ̂ = 0 and σ̂ = 1, the chance of a point beyond 3σ̂ is p = 2(1 − Φ(3)) = 0.0026998, so the
// mean number of points up to and including the first R1 firing is 1/p = 370.4. With a fixed
// seed the simulated mean is deterministic; 4000 runs give a standard error of about 1.6 %, so
// the 10 % band is a tight check that the limit is at 3σ̂ (at 2.9σ̂ the ARL is 268, at 3.1σ̂
// 517) while leaving no room for flakiness.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "spc/rule.h"
#include "spc/streaming_rules.h"

namespace llmscope::spc {
namespace {

TEST(RunLength, InControlArlOfR1Is370) {
  constexpr int kRuns = 4000;
  constexpr double kExpectedArl = 370.4;
  RuleConfig config;
  config.enabled = Bit(Rule::kR1);
  std::mt19937_64 rng(0x5eed5eed);
  std::normal_distribution<double> normal(0.0, 1.0);

  int64_t total = 0;
  for (int run = 0; run < kRuns; ++run) {
    StreamingRuleEvaluator evaluator(config, 0.0, 1.0);  // a fresh evaluator for every run
    int64_t length = 0;
    RuleMask fired = 0;
    while (fired == 0) {
      fired = evaluator.Push(normal(rng));
      ++length;
      ASSERT_LT(length, 100'000) << "R1 never fired";
    }
    EXPECT_EQ(fired, Bit(Rule::kR1));
    total += length;
  }
  const double arl = static_cast<double>(total) / kRuns;
  EXPECT_NEAR(arl, kExpectedArl, 0.1 * kExpectedArl) << "mean run length " << arl;
}

}  // namespace
}  // namespace llmscope::spc

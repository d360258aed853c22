// Violation events (docs/spc.md §5): consecutive firings of one rule on one series form one event
// (first index, last index, count). A gap, another rule, a stage change or a phase change starts
// a new event; the event keeps its first value and its worst point. GroupIntoEvents and the
// streaming EventGrouper agree, and one shift seen by a chart makes one event per rule.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <vector>

#include "spc/control_chart.h"
#include "spc/firing.h"
#include "spc/violation_events.h"

namespace llmscope::spc {
namespace {

Firing F(int64_t index, Rule rule, double value = 1.0, double deviation = 1.0, int stage = 0,
         Phase phase = Phase::kMonitoring) {
  return Firing{index, rule, phase, stage, value, deviation};
}

// (rule, first, last, count) of each event.
struct Span {
  Rule rule;
  int64_t first, last, count;
  bool operator==(const Span&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Span& s) {
  return os << "{" << RuleName(s.rule) << " " << s.first << ".." << s.last << " x" << s.count
            << "}";
}

std::vector<Span> Spans(const std::vector<ViolationEvent>& events) {
  std::vector<Span> out;
  for (const ViolationEvent& e : events)
    out.push_back({e.rule, e.first_index, e.last_index, e.count});
  return out;
}

TEST(Events, ConsecutiveFiringsFormOneEvent) {
  const std::vector<Firing> f{F(8, Rule::kR2), F(9, Rule::kR2), F(10, Rule::kR2)};
  EXPECT_EQ(Spans(GroupIntoEvents(f)), (std::vector<Span>{{Rule::kR2, 8, 10, 3}}));
}

TEST(Events, AGapSplits) {
  const std::vector<Firing> f{F(8, Rule::kR2), F(9, Rule::kR2), F(11, Rule::kR2)};
  EXPECT_EQ(Spans(GroupIntoEvents(f)),
            (std::vector<Span>{{Rule::kR2, 8, 9, 2}, {Rule::kR2, 11, 11, 1}}));
}

TEST(Events, DifferentRulesAreSeparate) {
  // In index then rule order, as charts emit them. R2 continues through the R1 firing.
  const std::vector<Firing> f{F(5, Rule::kR1), F(5, Rule::kR2), F(6, Rule::kR2),
                              F(7, Rule::kR1), F(7, Rule::kR2), F(8, Rule::kR5)};
  EXPECT_EQ(
      Spans(GroupIntoEvents(f)),
      (std::vector<Span>{
          {Rule::kR1, 5, 5, 1}, {Rule::kR2, 5, 7, 3}, {Rule::kR1, 7, 7, 1}, {Rule::kR5, 8, 8, 1}}));
}

TEST(Events, EventsComeOutInOrderOfTheirFirstIndex) {
  const std::vector<Firing> f{F(3, Rule::kR7), F(4, Rule::kR1), F(4, Rule::kR7), F(5, Rule::kR7),
                              F(6, Rule::kR1)};
  EXPECT_EQ(Spans(GroupIntoEvents(f)),
            (std::vector<Span>{{Rule::kR7, 3, 5, 3}, {Rule::kR1, 4, 4, 1}, {Rule::kR1, 6, 6, 1}}));
}

TEST(Events, StageChangeSplits) {
  const std::vector<Firing> f{F(10, Rule::kR2, 1, 1, 0), F(11, Rule::kR2, 1, 1, 1),
                              F(12, Rule::kR2, 1, 1, 1)};
  const std::vector<ViolationEvent> e = GroupIntoEvents(f);
  ASSERT_EQ(Spans(e), (std::vector<Span>{{Rule::kR2, 10, 10, 1}, {Rule::kR2, 11, 12, 2}}));
  EXPECT_EQ(e[0].stage, 0);
  EXPECT_EQ(e[1].stage, 1);
}

TEST(Events, PhaseChangeSplits) {
  // The Phase I review's firings end at the last baseline point; monitoring starts a new event.
  const std::vector<Firing> f{F(18, Rule::kR4, 1, 1, 0, Phase::kBaseline),
                              F(19, Rule::kR4, 1, 1, 0, Phase::kBaseline),
                              F(20, Rule::kR4, 1, 1, 0, Phase::kMonitoring)};
  const std::vector<ViolationEvent> e = GroupIntoEvents(f);
  ASSERT_EQ(Spans(e), (std::vector<Span>{{Rule::kR4, 18, 19, 2}, {Rule::kR4, 20, 20, 1}}));
  EXPECT_EQ(e[0].phase, Phase::kBaseline);
  EXPECT_EQ(e[1].phase, Phase::kMonitoring);
}

TEST(Events, FirstAndWorstPointsAreTracked) {
  const std::vector<Firing> f{F(8, Rule::kR2, 105, 0.5), F(9, Rule::kR2, 88, -1.2),
                              F(10, Rule::kR2, 109, 0.9), F(11, Rule::kR2, 112, 1.2)};
  const std::vector<ViolationEvent> e = GroupIntoEvents(f);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].first_value, 105);
  // |−1.2| is furthest from the center; a later tie (1.2) does not replace it.
  EXPECT_EQ(e[0].worst_value, 88);
  EXPECT_EQ(e[0].worst_deviation, -1.2);
}

TEST(Events, DegenerateStageKeepsNanDeviation) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Firing> f{F(20, Rule::kR1, 101, nan), F(21, Rule::kR1, 150, nan)};
  const std::vector<ViolationEvent> e = GroupIntoEvents(f);
  ASSERT_EQ(Spans(e), (std::vector<Span>{{Rule::kR1, 20, 21, 2}}));
  EXPECT_TRUE(std::isnan(e[0].worst_deviation));
  EXPECT_EQ(e[0].first_value, 101);
}

TEST(Events, GrouperReportsOpenedAndExtended) {
  EventGrouper g;
  {
    auto [event, change] = g.Add(F(8, Rule::kR2, 1, 0.4));
    EXPECT_EQ(change, EventGrouper::Change::kOpened);
    EXPECT_EQ(event.first_index, 8);
  }
  {
    auto [event, change] = g.Add(F(9, Rule::kR2, 2, 0.7));
    EXPECT_EQ(change, EventGrouper::Change::kExtended);
    EXPECT_EQ(event.first_index, 8);
    EXPECT_EQ(event.last_index, 9);
    EXPECT_EQ(event.count, 2);
    EXPECT_EQ(event.worst_value, 2);
  }
  {
    auto [event, change] = g.Add(F(9, Rule::kR1, 2, 3.5));  // another rule: its own event
    EXPECT_EQ(change, EventGrouper::Change::kOpened);
    EXPECT_EQ(event.rule, Rule::kR1);
  }
  {
    auto [event, change] = g.Add(F(10, Rule::kR2, 3, 0.1));
    EXPECT_EQ(change, EventGrouper::Change::kExtended);
    EXPECT_EQ(event.count, 3);
  }
  {
    auto [event, change] = g.Add(F(12, Rule::kR2, 3, 0.1));
    EXPECT_EQ(change, EventGrouper::Change::kOpened);
    EXPECT_EQ(event.first_index, 12);
    EXPECT_EQ(event.count, 1);
  }
}

TEST(Events, OneShiftMakesOneEventPerRule) {
  // Known stage μ̂ = 0, σ̂ = 1; 30 points shifted to +1.5σ̂. R2 fires at 8..29, R6 at 4..29,
  // R8 at 7..29: three events, not 75 alerts.
  ChartConfig config;
  config.transform = Transform::kNone;
  ControlChart chart(config);
  chart.StartKnownStage({0.0, 1.0});
  std::vector<Firing> firings;
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(chart.Observe(1.5, firings).ok());
  EXPECT_EQ(firings.size(), 22u + 26u + 23u);
  EXPECT_EQ(
      Spans(GroupIntoEvents(firings)),
      (std::vector<Span>{{Rule::kR6, 4, 29, 26}, {Rule::kR8, 7, 29, 23}, {Rule::kR2, 8, 29, 22}}));
}

}  // namespace
}  // namespace llmscope::spc

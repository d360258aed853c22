// The status model from hand-made inputs (status/status_report.h): day states, source states,
// silence, the overall state and the latencies.
#include "status/status_report.h"

#include <gtest/gtest.h>

#include <vector>

namespace llmscope::status {
namespace {

constexpr int64_t kDay = store::kDayMs;
constexpr int64_t kToday = 20500;  // a UTC day number
constexpr int64_t kNow = kToday * kDay + 12 * 3'600'000;

SourceKey Source(std::string model) {
  return SourceKey{"ollama", std::move(model), "", ""};
}

store::DailySampleCount Count(const SourceKey& s, int64_t day, int64_t samples,
                              int64_t errors = 0) {
  return store::DailySampleCount{s, day, samples, errors};
}

ViolationSpan Span(const SourceKey& s, int64_t first_ms, int64_t last_ms, alert::Severity sev) {
  return ViolationSpan{s, first_ms, last_ms, sev};
}

std::vector<DayState> States(const std::vector<DayStatus>& days) {
  std::vector<DayState> states;
  for (const DayStatus& d : days) states.push_back(d.state);
  return states;
}

TEST(DayStates, NoSamplesIsNoDataAndTheWorstViolationOfADayWins) {
  const SourceKey s = Source("llama3");
  const int64_t first = kToday - 4;
  std::vector<store::DailySampleCount> counts = {Count(s, first, 10), Count(s, first + 1, 10, 2),
                                                 Count(s, first + 2, 10), Count(s, first + 3, 10),
                                                 Count(s, first + 4, 3)};
  std::vector<ViolationSpan> violations = {
      Span(s, (first + 1) * kDay + 5, (first + 1) * kDay + 9, alert::Severity::kWarning),
      Span(s, (first + 2) * kDay + 5, (first + 2) * kDay + 9, alert::Severity::kWarning),
      Span(s, (first + 2) * kDay + 50, (first + 2) * kDay + 90, alert::Severity::kCritical),
      Span(s, (first + 3) * kDay + 5, (first + 3) * kDay + 9, alert::Severity::kInfo),
  };
  std::vector<DayStatus> days = DayStatesOf(first - 1, 6, counts, violations);
  ASSERT_EQ(days.size(), 6u);
  EXPECT_EQ(States(days), (std::vector<DayState>{DayState::kNoData, DayState::kInControl,
                                                 DayState::kWarning, DayState::kCritical,
                                                 DayState::kInControl, DayState::kInControl}));
  EXPECT_EQ(days[0].day, first - 1);
  EXPECT_EQ(days[2].errors, 2);
  EXPECT_EQ(days[3].warnings, 1);
  EXPECT_EQ(days[3].criticals, 1);
  EXPECT_EQ(days[4].warnings, 0) << "an info violation counts nowhere";
}

TEST(DayStates, AViolationOverSeveralDaysMarksEachAndNothingOutsideTheStrip) {
  const SourceKey s = Source("llama3");
  std::vector<store::DailySampleCount> counts;
  for (int64_t d = kToday - 5; d <= kToday; ++d) counts.push_back(Count(s, d, 1));
  counts.push_back(Count(s, kToday + 1, 1));  // a sample a little in the future: outside
  std::vector<ViolationSpan> violations = {
      Span(s, (kToday - 10) * kDay, (kToday - 2) * kDay + 1, alert::Severity::kCritical)};
  std::vector<DayStatus> days = DayStatesOf(kToday - 3, 4, counts, violations);
  EXPECT_EQ(States(days), (std::vector<DayState>{DayState::kCritical, DayState::kCritical,
                                                 DayState::kInControl, DayState::kInControl}));
}

TEST(DayStates, AViolationOnADayWithoutSamplesLeavesItWithoutData) {
  const SourceKey s = Source("llama3");
  std::vector<DayStatus> days = DayStatesOf(
      kToday, 1, {}, {Span(s, kToday * kDay, kToday * kDay, alert::Severity::kCritical)});
  EXPECT_EQ(States(days), std::vector<DayState>{DayState::kNoData});
  EXPECT_EQ(days[0].criticals, 1);
}

SourceInput Live(std::string model, std::vector<MetricStatus> metrics) {
  SourceInput in;
  in.source = Source(std::move(model));
  in.metrics = std::move(metrics);
  in.last_sample_ms = kNow - 1000;
  in.interval_ms = 2000;
  return in;
}

TEST(SourceStates, TheWorstMetricDecides) {
  using S = SourceState;
  EXPECT_EQ(SourceStateOf(Live("a", {{Metric::kE2eMs, S::kInControl}}), kNow), S::kInControl);
  EXPECT_EQ(
      SourceStateOf(Live("a", {{Metric::kE2eMs, S::kInControl}, {Metric::kTtftMs, S::kLearning}}),
                    kNow),
      S::kLearning);
  EXPECT_EQ(SourceStateOf(
                Live("a", {{Metric::kE2eMs, S::kDegraded}, {Metric::kError, S::kLearning}}), kNow),
            S::kDegraded);
  EXPECT_EQ(SourceStateOf(
                Live("a", {{Metric::kE2eMs, S::kDegraded}, {Metric::kError, S::kViolation}}), kNow),
            S::kViolation);
}

TEST(SourceStates, SilentAfterFiveIntervalsAndAtLeastAMinute) {
  SourceInput in = Live("a", {{Metric::kE2eMs, SourceState::kViolation}});
  in.interval_ms = 30'000;
  in.last_sample_ms = kNow - 150'000;
  EXPECT_EQ(SourceStateOf(in, kNow), SourceState::kViolation) << "exactly five intervals";
  in.last_sample_ms = kNow - 150'001;
  EXPECT_EQ(SourceStateOf(in, kNow), SourceState::kSilent);

  in.interval_ms = 2000;  // five intervals are 10 s: the minute's floor applies
  in.last_sample_ms = kNow - 59'000;
  EXPECT_NE(SourceStateOf(in, kNow), SourceState::kSilent);
  in.last_sample_ms = kNow - 61'000;
  EXPECT_EQ(SourceStateOf(in, kNow), SourceState::kSilent);

  in.interval_ms.reset();  // unknown interval: five minutes
  in.last_sample_ms = kNow - 299'000;
  EXPECT_NE(SourceStateOf(in, kNow), SourceState::kSilent);
  in.last_sample_ms = kNow - 301'000;
  EXPECT_EQ(SourceStateOf(in, kNow), SourceState::kSilent);

  in.last_sample_ms.reset();
  EXPECT_EQ(SourceStateOf(in, kNow), SourceState::kSilent) << "no sample at all";
}

TEST(StatusReport, SortsSourcesTakesTheWorstAsOverallAndComputesLatencies) {
  StatusInputs inputs;
  inputs.now_ms = kNow;
  inputs.days = 90;
  SourceInput b = Live("b", {{Metric::kE2eMs, SourceState::kDegraded}});
  for (int v = 1; v <= 100; ++v) b.recent_e2e_ms.push_back(101 - v);  // newest is 1
  SourceInput a = Live(
      "a", {{Metric::kError, SourceState::kInControl}, {Metric::kE2eMs, SourceState::kInControl}});
  inputs.sources = {b, a};
  inputs.day_counts = {Count(a.source, kToday, 5), Count(b.source, kToday - 89, 7),
                       Count(b.source, kToday - 90, 9)};

  StatusReport report = BuildStatusReport(inputs);
  EXPECT_EQ(report.first_day, kToday - 89);
  ASSERT_EQ(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[0].source.model, "a");
  EXPECT_EQ(report.sources[0].metrics[0].metric, Metric::kE2eMs) << "metrics in Metric order";
  EXPECT_EQ(report.overall, SourceState::kDegraded);
  EXPECT_FALSE(report.sources[0].e2e_p50_ms);
  EXPECT_EQ(report.sources[1].e2e_p50_ms, 50);
  EXPECT_EQ(report.sources[1].e2e_p95_ms, 95);
  ASSERT_EQ(report.sources[0].days.size(), 90u);
  EXPECT_EQ(report.sources[0].days.back().samples, 5);
  EXPECT_EQ(report.sources[1].days.front().samples, 7) << "the day before the strip is left out";
  EXPECT_EQ(report.sources[0].silent_after_ms, 60'000);
  EXPECT_TRUE(report.sources[0].e2e_spark.empty());
  ASSERT_EQ(report.sources[1].e2e_spark.size(), static_cast<size_t>(kSparkPoints));
  EXPECT_GT(report.sources[1].e2e_spark.front(), report.sources[1].e2e_spark.back())
      << "oldest first";
}

TEST(Sparkline, MeansOfRunsAsEqualAsTheyCanBeOldestFirst) {
  EXPECT_EQ(SparklineOf({1, 2, 3, 4, 5, 6}, 3), (std::vector<double>{1.5, 3.5, 5.5}));
  // 7 values into 3 runs: lengths 2, 2, 3.
  EXPECT_EQ(SparklineOf({1, 3, 5, 7, 9, 11, 13}, 3), (std::vector<double>{2, 6, 11}));
  EXPECT_EQ(SparklineOf({4, 8}, 30), (std::vector<double>{4, 8})) << "fewer values than points";
  EXPECT_TRUE(SparklineOf({}, 30).empty());
  EXPECT_TRUE(SparklineOf({1, 2}, 0).empty());
  std::vector<double> many(1000, 7.0);
  const std::vector<double> spark = SparklineOf(many, 30);
  ASSERT_EQ(spark.size(), 30u);
  for (double v : spark) EXPECT_DOUBLE_EQ(v, 7.0);
}

TEST(StatusReport, NoSourcesHaveNoOverallState) {
  StatusInputs inputs;
  inputs.now_ms = kNow;
  EXPECT_FALSE(BuildStatusReport(inputs).overall);
}

}  // namespace
}  // namespace llmscope::status

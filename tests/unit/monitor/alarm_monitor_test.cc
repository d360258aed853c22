// The alarm detectors inside SeriesMonitor over a real SQLite store (docs/spc.md §9): a
// sustained regression opens one SHIFT event per metric (tokens/s judged downwards), with its
// onset, detection time and context stored; the series' state goes violation → in_control when
// the level is back; an error surge opens ERRORS; a restart replays to the same events; and a
// healthy day opens none, while the exact chart's info firings keep coming.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "monitor/series_monitor.h"
#include "monitor_test_support.h"
#include "support/latency_shapes.h"
#include "support/temp_dir.h"

namespace llmscope::monitor {
namespace {

using llmscope::testing::LatencyGenerator;
using llmscope::testing::TempDir;
using testing::IngestAll;
using testing::OpenSqliteStore;

constexpr int64_t kT0 = 1795446245000;
constexpr int kPerHour = 1800;  // one sample every 2 s

// A probe-like source: ttft and tpot log-normal, e2e = ttft + 20·tpot, tokens/s = 1000/tpot;
// `factor(i)` multiplies both latencies; `failed(i)` makes the call an error sample.
template <typename Factor, typename Failed>
std::vector<Sample> Source(int n, uint64_t seed, Factor factor, Failed failed) {
  LatencyGenerator ttft({"narrow"}, 300, seed), tpot({"narrow"}, 25, seed + 1);
  std::vector<Sample> out;
  for (int i = 0; i < n; ++i) {
    Sample s;
    s.time_ms = kT0 + int64_t{i} * 2000;
    s.source = SourceKey{"ollama", "llama3", "", "short"};
    const double t = i * 2.0;
    const double a = ttft.Next(t, factor(i)), b = tpot.Next(t, factor(i));
    if (failed(i)) {
      s.error = true;
    } else {
      s.ttft_ms = a;
      s.tpot_ms = b;
      s.e2e_ms = a + 20 * b;
      s.tokens_per_s = 1000 / b;
    }
    out.push_back(s);
  }
  return out;
}

std::vector<store::ViolationRecord> AlarmEvents(store::Store& s) {
  store::ViolationQuery q;
  q.rules = std::vector<spc::Rule>(spc::kAlarmRules.begin(), spc::kAlarmRules.end());
  q.limit = 100000;
  Result<std::vector<store::ViolationRecord>> v = s.QueryViolations(q);
  EXPECT_TRUE(v.ok());
  return v.ok() ? *v : std::vector<store::ViolationRecord>{};
}

std::optional<SeriesView> ViewOf(const SeriesMonitor& m, Metric metric) {
  return m.View(SeriesKey{SourceKey{"ollama", "llama3", "", "short"}, metric});
}

TEST(AlarmMonitor, ARegressionOpensOneShiftPerMetricAndTheStateFollowsIt) {
  TempDir dir("llmscope-alarm-monitor");
  auto store = OpenSqliteStore(dir, "a.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  int resolved_events = 0;
  m.AddListener([&](const MonitorBatch& batch) {
    for (const MonitorEvent& e : batch.events) {
      resolved_events += e.kind == MonitorEvent::Kind::kViolationStatus &&
                         e.violation.status == store::ViolationStatus::kResolved;
    }
  });
  const int start = 2 * kPerHour + 5, end = start + kPerHour / 2;  // 30 minutes ×1.3
  const auto samples = Source(
      3 * kPerHour, 7, [&](int i) { return i >= start && i < end ? 1.3 : 1.0; },
      [](int) { return false; });
  IngestAll(m, samples, 0, start, 500);
  const std::optional<SeriesView> before = ViewOf(m, Metric::kE2eMs);
  ASSERT_TRUE(before);
  EXPECT_EQ(before->state, SeriesState::kInControl);
  EXPECT_FALSE(before->alarm.learning);
  ASSERT_TRUE(before->alarm.detection_delay_ms);
  EXPECT_LT(*before->alarm.detection_delay_ms, 5 * 60000.0);
  EXPECT_NEAR(*before->alarm.interval_ms, 2000, 1e-9);
  EXPECT_LE(*before->alarm.design_false_alerts_per_30d, 1.0);

  IngestAll(m, samples, start, start + 10 * 60 / 2, 1);  // ten minutes, one sample at a time
  EXPECT_EQ(ViewOf(m, Metric::kE2eMs)->state, SeriesState::kViolation);
  EXPECT_EQ(ViewOf(m, Metric::kTokensPerS)->state, SeriesState::kViolation);
  IngestAll(m, samples, start + 10 * 60 / 2, samples.size(), 500);
  EXPECT_EQ(ViewOf(m, Metric::kE2eMs)->state, SeriesState::kInControl);

  // One SHIFT per metric (a subgroup's median beyond ×1.5 during it may escalate the episode to
  // a JUMP event, never open another SHIFT); the episode's last event reaches the end of it.
  std::map<Metric, int> per_metric;
  std::map<Metric, int64_t> episode_end;
  for (const store::ViolationRecord& v : AlarmEvents(*store)) {
    episode_end[v.series.metric] = std::max(episode_end[v.series.metric], v.last_index);
    EXPECT_EQ(v.status, store::ViolationStatus::kResolved) << spc::RuleName(v.rule);
    if (v.rule == spc::Rule::kJump) continue;
    ++per_metric[v.series.metric];
    EXPECT_EQ(v.rule, spc::Rule::kShift) << MetricName(v.series.metric);
    EXPECT_EQ(v.phase, spc::Phase::kMonitoring);
    // Onset near the change, detection within 5 minutes of it, the episode until it ended.
    EXPECT_NEAR(static_cast<double>(v.first_index), start, 6 * 15) << MetricName(v.series.metric);
    EXPECT_GT(v.created_ms, samples[start].time_ms);
    EXPECT_LE(v.created_ms - samples[start].time_ms, 5 * 60000);
    EXPECT_GT(v.count, 3);
    // The level came back: resolved without a person, so sinks get their resolve.
    EXPECT_EQ(v.status, store::ViolationStatus::kResolved) << MetricName(v.series.metric);
    EXPECT_EQ(v.status_by, "llmscope (recovered)");
    EXPECT_NE(v.context_json.find("\"telemetry\""), std::string::npos);
    if (v.series.metric == Metric::kTokensPerS) {
      EXPECT_LT(v.value, v.limits.center);  // judged downwards
    } else {
      EXPECT_GT(v.value, v.limits.center);
    }
  }
  for (Metric metric : {Metric::kE2eMs, Metric::kTtftMs, Metric::kTpotMs, Metric::kTokensPerS}) {
    EXPECT_EQ(per_metric[metric], 1) << MetricName(metric);
    EXPECT_GE(episode_end[metric], end - 1) << MetricName(metric);
  }

  EXPECT_EQ(resolved_events, static_cast<int>(AlarmEvents(*store).size()));

  // A restart replays the stage and finds the same events: none is added or changed.
  const auto stored = AlarmEvents(*store);
  SeriesMonitor again(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(again.Rebuild().ok());
  const auto after = AlarmEvents(*store);
  ASSERT_EQ(after.size(), stored.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, stored[i].id);
    EXPECT_EQ(after[i].last_index, stored[i].last_index);
    EXPECT_EQ(after[i].count, stored[i].count);
  }
}

TEST(AlarmMonitor, WithoutAutoResolveAnEndedEpisodeStaysOpen) {
  TempDir dir("llmscope-alarm-monitor");
  auto store = OpenSqliteStore(dir, "n.db");
  MonitorConfig config = MonitorConfig::Defaults();
  config.auto_resolve = false;
  SeriesMonitor m(*store, config);
  ASSERT_TRUE(m.Rebuild().ok());
  const int start = kPerHour, end = start + kPerHour / 2;
  const auto samples = Source(
      2 * kPerHour, 7, [&](int i) { return i >= start && i < end ? 1.3 : 1.0; },
      [](int) { return false; });
  IngestAll(m, samples, 0, samples.size(), 500);
  const auto events = AlarmEvents(*store);
  ASSERT_FALSE(events.empty());
  for (const store::ViolationRecord& v : events) EXPECT_EQ(v.status, store::ViolationStatus::kOpen);
  EXPECT_EQ(ViewOf(m, Metric::kE2eMs)->state, SeriesState::kInControl);
}

TEST(AlarmMonitor, AnErrorSurgeOpensErrors) {
  TempDir dir("llmscope-alarm-monitor");
  auto store = OpenSqliteStore(dir, "e.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  const int start = kPerHour;
  std::mt19937_64 rng(5);
  std::vector<bool> fail(2 * kPerHour);
  for (int i = start; i < 2 * kPerHour; ++i) fail[i] = std::bernoulli_distribution(0.05)(rng);
  const auto samples = Source(2 * kPerHour, 9, [](int) { return 1.0; },
                              [&](int i) { return static_cast<bool>(fail[i]); });
  IngestAll(m, samples, 0, samples.size(), 300);
  const auto events = AlarmEvents(*store);
  ASSERT_EQ(events.size(), 1u);
  const store::ViolationRecord& v = events[0];
  EXPECT_EQ(v.rule, spc::Rule::kErrors);
  EXPECT_EQ(v.series.metric, Metric::kError);
  EXPECT_GE(v.first_index, start - 60);
  // 3.2 minutes on average at these settings (spc tests); one run may take longer.
  EXPECT_LE(v.created_ms - samples[start].time_ms, 8 * 60000);
  EXPECT_GT(v.value, 0.02);
  EXPECT_EQ(ViewOf(m, Metric::kError)->state, SeriesState::kViolation);
}

TEST(AlarmMonitor, AHealthyDayOpensNoAlarmWhileTheChartKeepsSignalling) {
  TempDir dir("llmscope-alarm-monitor");
  auto store = OpenSqliteStore(dir, "h.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  std::mt19937_64 rng(3);
  std::vector<bool> fail(24 * kPerHour);
  for (size_t i = 0; i < fail.size(); ++i) fail[i] = std::bernoulli_distribution(0.001)(rng);
  const auto samples = Source(24 * kPerHour, 13, [](int) { return 1.0; },
                              [&](int i) { return static_cast<bool>(fail[i]); });
  IngestAll(m, samples, 0, samples.size(), 2000);
  EXPECT_TRUE(AlarmEvents(*store).empty());
  store::ViolationQuery all;
  all.limit = 100000;
  EXPECT_GT(store->QueryViolations(all)->size(), 100u);  // the exact chart's info signals
  for (const SeriesView& v : m.ListSeries()) {
    EXPECT_EQ(v.state, SeriesState::kInControl) << MetricName(v.key.metric);
  }
}

}  // namespace
}  // namespace llmscope::monitor

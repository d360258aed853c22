// Per-series configuration in SeriesMonitor (docs/design.md "Per-series overrides") over a real
// SQLite file: other rules judge the next points at once, a baseline size takes effect only
// through a new stage, and a restart restores that stage's limits (each stage replayed by its
// own baseline size and transform, whatever the configuration now).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "monitor/series_monitor.h"
#include "monitor_test_support.h"
#include "support/temp_dir.h"

namespace llmscope::monitor {
namespace {

constexpr int64_t kT0 = 1795446245000;
const SeriesKey kE2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
const SeriesKey kTtft{SourceKey{"ollama", "llama3", "", ""}, Metric::kTtftMs};

using llmscope::testing::TempDir;
using testing::IngestAll;
using testing::OpenSqliteStore;

// 300 points in control, with a spike at 150 (R1 on e2e and ttft alike).
std::vector<Sample> Series() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 0.05);
  std::vector<Sample> out;
  for (int i = 0; i < 300; ++i) {
    Sample s;
    s.time_ms = kT0 + i * 2000;
    s.source = kE2e.source;
    s.e2e_ms = i == 150 ? 6000 : 2000 * std::exp(noise(rng));
    s.ttft_ms = *s.e2e_ms / 10;
    out.push_back(s);
  }
  return out;
}

int64_t MonitoringR1(store::Store& store, const SeriesKey& key) {
  store::ViolationQuery q;
  q.series = key;
  q.rule = spc::Rule::kR1;
  q.phase = spc::Phase::kMonitoring;
  return static_cast<int64_t>(store.QueryViolations(q)->size());
}

SeriesConfig WithBaseline(const SeriesMonitor& m, int baseline) {
  SeriesConfig c = m.MetricConfig(Metric::kE2eMs);
  c.chart.baseline_size = baseline;
  return c;
}

TEST(SeriesOverrides, OtherRulesJudgeTheNextPointsAtOnce) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "rules.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  const std::vector<Sample> s = Series();
  IngestAll(m, s, 0, 140, 10);
  SeriesConfig no_r1 = m.MetricConfig(Metric::kE2eMs);
  no_r1.chart.rules = spc::ParseRuleList("R2,R3").value();
  m.Configure({{kE2e, no_r1}});
  EXPECT_EQ(m.View(kE2e)->stage->number, 0) << "no new stage for other rules";
  IngestAll(m, s, 140, 200, 10);
  EXPECT_EQ(MonitoringR1(*store, kE2e), 0) << "R1 is off for e2e";
  EXPECT_EQ(MonitoringR1(*store, kTtft), 1) << "ttft keeps the file's rules";
  EXPECT_EQ(m.View(kE2e)->config.rules.enabled, no_r1.chart.rules.enabled);

  // Back to the file's rules: R1 judges again from the next point.
  m.Configure({});
  std::vector<Sample> spike = {s[200]};
  spike[0].e2e_ms = 9000;
  IngestAll(m, spike, 0, 1, 1);
  EXPECT_EQ(MonitoringR1(*store, kE2e), 1);
}

TEST(SeriesOverrides, BaselineSizeTakesEffectThroughANewStageAndSurvivesRestart) {
  TempDir dir;
  const std::vector<Sample> s = Series();
  spc::Stage learnt;
  {
    auto store = OpenSqliteStore(dir, "baseline.db");
    SeriesMonitor m(*store, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, 120, 10);
    m.Configure({{kE2e, WithBaseline(m, 40)}});
    EXPECT_EQ(m.View(kE2e)->baseline_size, 100) << "the current stage keeps its limits";
    EXPECT_EQ(m.View(kE2e)->stage->number, 0);
    Result<store::StageRecord> r = m.StartNewStage(kE2e, std::nullopt, kT0 + 999999);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->stage.baseline_size, 40);
    IngestAll(m, s, 120, 170, 10);
    ASSERT_FALSE(m.View(kE2e)->learning);
    learnt = *m.View(kE2e)->stage;
    EXPECT_EQ(learnt.number, 1);
    EXPECT_EQ(learnt.start_index, 120);
    EXPECT_EQ(learnt.baseline_size, 40);
    EXPECT_EQ(m.View(kTtft)->stage->number, 0) << "only the overridden series";
  }
  auto store = OpenSqliteStore(dir, "baseline.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  m.Configure({{kE2e, WithBaseline(m, 40)}});
  ASSERT_TRUE(m.Rebuild().ok());
  const std::optional<SeriesView> v = m.View(kE2e);
  ASSERT_TRUE(v && v->stage);
  EXPECT_EQ(v->stage->number, 1);
  EXPECT_EQ(v->stage->baseline_size, 40);
  EXPECT_EQ(v->stage->mean, learnt.mean);
  EXPECT_EQ(v->stage->sigma, learnt.sigma);
  // A new stage after the restart takes the override too.
  ASSERT_TRUE(m.StartNewStage(kE2e, std::nullopt, kT0 + 999999).ok());
  IngestAll(m, s, 170, 210, 10);
  EXPECT_EQ(m.View(kE2e)->stage->number, 2);
  EXPECT_EQ(m.View(kE2e)->stage->start_index, 170);
}

TEST(SeriesOverrides, ALearningStageResumesWithItsOwnBaselineSize) {
  TempDir dir;
  const std::vector<Sample> s = Series();
  {
    auto store = OpenSqliteStore(dir, "learning.db");
    SeriesMonitor m(*store, MonitorConfig::Defaults());
    m.Configure({{kE2e, WithBaseline(m, 30)}});
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, 110, 10);
    ASSERT_TRUE(m.StartNewStage(kE2e, std::nullopt, kT0 + 999999).ok());
    IngestAll(m, s, 110, 120, 10);
    EXPECT_EQ(m.View(kE2e)->learning_points, 10);
  }
  // Restarted with the override gone: the stage still learning keeps its B = 30; the next one
  // would take the file's 100.
  auto store = OpenSqliteStore(dir, "learning.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  EXPECT_TRUE(m.View(kE2e)->learning);
  EXPECT_EQ(m.View(kE2e)->baseline_size, 30);
  IngestAll(m, s, 120, 140, 10);
  ASSERT_FALSE(m.View(kE2e)->learning);
  EXPECT_EQ(m.View(kE2e)->stage->baseline_size, 30);
  EXPECT_EQ(m.View(kE2e)->stage->start_index, 110);
}

}  // namespace
}  // namespace llmscope::monitor

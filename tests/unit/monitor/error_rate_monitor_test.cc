// The live p-chart of probe errors (docs/spc.md §6) in SeriesMonitor over a real SQLite store: R1
// on a subgroup's share of failed calls, worked by hand; p̄ = 0 (limits not estimable); consecutive
// firing subgroups as one event; a Phase I review of the baseline; limits shown within [0, 1];
// the frozen stage saved; a restart anywhere changes no stage and no violation; a re-baseline
// learns a new p̄ and survives a restart.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "monitor/series_monitor.h"
#include "monitor_test_support.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::monitor {
namespace {

constexpr int64_t kT0 = 1795446245000;
const SourceKey kSource{"ollama", "llama3", "", ""};
const SeriesKey kErrors{kSource, Metric::kError};

using llmscope::testing::TempDir;

using testing::IngestAll;
using testing::OpenSqliteStore;

// Call i of the source. Only the error series is charted: the latency is left out (failed calls
// carry the latency of the failure, which no chart takes).
Sample Call(int i, bool failed) {
  Sample s;
  s.time_ms = kT0 + i * 2000;
  s.source = kSource;
  if (failed) s.e2e_ms = 30000;
  s.error = failed;
  s.telemetry.cpu_percent = i % 100;
  return s;
}

// Calls 0 … failed.size() − 1, failing where `failed` says.
std::vector<Sample> Calls(const std::vector<bool>& failed) {
  std::vector<Sample> out;
  for (size_t i = 0; i < failed.size(); ++i) out.push_back(Call(static_cast<int>(i), failed[i]));
  return out;
}

// Blocks of 20 calls; in block j the first failures[j] calls fail.
std::vector<bool> Failing(const std::vector<int>& failures) {
  std::vector<bool> out;
  for (int f : failures) {
    for (int k = 0; k < 20; ++k) out.push_back(k < f);
  }
  return out;
}

std::vector<store::ViolationRecord> ErrorViolations(store::Store& s) {
  store::ViolationQuery q;
  q.series = kErrors;
  q.limit = 1000000;
  Result<std::vector<store::ViolationRecord>> v = s.QueryViolations(q);
  EXPECT_TRUE(v.ok());
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    return std::tie(a.stage, a.phase, a.first_index) < std::tie(b.stage, b.phase, b.first_index);
  });
  return *v;
}

std::vector<store::StageRecord> ErrorStages(store::Store& s) {
  Result<std::vector<store::StageRecord>> r = s.LoadStages(kErrors);
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(ErrorRateMonitor, R1FiresOnASubgroupBeyondTheHandWorkedUcl) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "hand.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  std::vector<store::ViolationRecord> heard;
  m.AddListener([&](const MonitorBatch& batch) {
    for (const MonitorEvent& e : batch.events) {
      if (e.kind == MonitorEvent::Kind::kViolationOpened) heard.push_back(e.violation);
    }
  });
  // Baseline: 100 calls, 2 failed (p̄ = 0.02); then subgroups with 2 (0.10), 3 (0.15) and 0.
  std::vector<Sample> s = Calls(Failing({1, 0, 0, 1, 0, 2, 3, 0}));
  IngestAll(m, s, 0, 100, 7);
  IngestAll(m, s, 100, 120, 1);
  EXPECT_TRUE(ErrorViolations(*store).empty()) << "0.10 is within the limits";
  Result<IngestReceipt> last = m.Ingest({s.begin() + 120, s.begin() + 140});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->violations_opened, 1);
  IngestAll(m, s, 140, 160, 20);

  const double sigma = std::sqrt(0.02 * 0.98 / 20);
  const double ucl = 0.02 + 3 * sigma;
  EXPECT_NEAR(ucl, 0.1139, 1e-4);
  std::vector<store::ViolationRecord> v = ErrorViolations(*store);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].series, kErrors);
  EXPECT_EQ(v[0].rule, spc::Rule::kR1);
  EXPECT_EQ(v[0].phase, spc::Phase::kMonitoring);
  EXPECT_EQ(v[0].stage, 0);
  EXPECT_EQ(v[0].first_index, 120);
  EXPECT_EQ(v[0].last_index, 139);
  EXPECT_EQ(v[0].count, 1);
  EXPECT_EQ(v[0].first_time_ms, kT0 + 120 * 2000);
  EXPECT_EQ(v[0].last_time_ms, kT0 + 139 * 2000);
  EXPECT_DOUBLE_EQ(v[0].value, 0.15);
  EXPECT_DOUBLE_EQ(v[0].worst_value, 0.15);
  EXPECT_DOUBLE_EQ(v[0].mean, 0.02);
  EXPECT_DOUBLE_EQ(v[0].sigma, sigma);
  ASSERT_TRUE(v[0].deviation.has_value());
  EXPECT_NEAR(*v[0].deviation, (0.15 - 0.02) / sigma, 1e-12);
  EXPECT_DOUBLE_EQ(v[0].limits.center, 0.02);
  EXPECT_DOUBLE_EQ(v[0].limits.ucl, ucl);
  EXPECT_EQ(v[0].limits.lcl, 0) << "clipped at 0";
  EXPECT_DOUBLE_EQ(v[0].limits.upper_1s, 0.02 + sigma);
  // Context: the subgroups around it as points at their last calls (all 8 subgroups), and the
  // telemetry of the firing subgroup's last call.
  EXPECT_NE(v[0].context_json.find("\"index\":19,"), std::string::npos);
  EXPECT_NE(v[0].context_json.find("\"index\":119,"), std::string::npos);
  EXPECT_NE(v[0].context_json.find("\"index\":139,\"sample_id\":140,"), std::string::npos);
  EXPECT_NE(v[0].context_json.find("\"index\":159,"), std::string::npos);
  EXPECT_NE(v[0].context_json.find("\"value\":0.15,"), std::string::npos);
  const nlohmann::json context = nlohmann::json::parse(v[0].context_json);
  EXPECT_EQ(context["points"].size(), 8u);
  EXPECT_EQ(context["telemetry"]["cpu_percent"], 39.0);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].series.metric, Metric::kError);
  EXPECT_EQ(heard[0].first_index, 120);

  // The frozen stage, saved once, and the series' live state.
  std::vector<store::StageRecord> stages = ErrorStages(*store);
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_TRUE(stages[0].frozen);
  EXPECT_FALSE(stages[0].external_baseline);
  EXPECT_EQ(stages[0].start_sample_id, 1);
  EXPECT_EQ(stages[0].stage.start_index, 0);
  EXPECT_EQ(stages[0].stage.baseline_size, 100);
  EXPECT_DOUBLE_EQ(stages[0].stage.mean, 0.02);
  EXPECT_DOUBLE_EQ(stages[0].stage.sigma, sigma);
  std::optional<SeriesView> view = m.View(kErrors);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->learning);
  EXPECT_EQ(view->points, 160);
  EXPECT_EQ(view->baseline_size, 100);
  EXPECT_EQ(view->open_events, 0);
  ASSERT_TRUE(view->stage.has_value());
  EXPECT_DOUBLE_EQ(view->stage->mean, 0.02);
  ASSERT_TRUE(view->last.has_value());
  EXPECT_EQ(view->last->index, 159);
  EXPECT_EQ(view->last->value, 0);
  bool listed = false;
  for (const SeriesView& sv : m.ListSeries()) listed |= sv.key == kErrors;
  EXPECT_TRUE(listed);
  EXPECT_EQ(m.ChartConfigFor(Metric::kError).baseline_size, 100);
}

TEST(ErrorRateMonitor, ConsecutiveFiringSubgroupsFormOneEvent) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "run.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  std::vector<Sample> s = Calls(Failing({1, 0, 0, 1, 0, 4, 5, 0, 6}));
  IngestAll(m, s, 0, 130, 10);
  EXPECT_EQ(m.View(kErrors)->open_events, 1);
  IngestAll(m, s, 130, s.size(), 10);
  std::vector<store::ViolationRecord> v = ErrorViolations(*store);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].first_index, 100);
  EXPECT_EQ(v[0].last_index, 139);
  EXPECT_EQ(v[0].count, 2);
  EXPECT_DOUBLE_EQ(v[0].value, 0.20);
  EXPECT_DOUBLE_EQ(v[0].worst_value, 0.25);
  EXPECT_NEAR(*v[0].deviation, (0.25 - 0.02) / std::sqrt(0.02 * 0.98 / 20), 1e-12);
  EXPECT_EQ(v[1].first_index, 160);
  EXPECT_EQ(v[1].count, 1);
}

TEST(ErrorRateMonitor, ZeroBaselineFiresOnAnyFailureWithLimitsNotEstimable) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "zero.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  std::vector<bool> failed(140, false);
  failed[131] = true;
  IngestAll(m, Calls(failed), 0, failed.size(), 20);
  std::vector<store::ViolationRecord> v = ErrorViolations(*store);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].phase, spc::Phase::kMonitoring);
  EXPECT_EQ(v[0].first_index, 120);
  EXPECT_DOUBLE_EQ(v[0].value, 0.05);
  EXPECT_FALSE(v[0].deviation.has_value());
  EXPECT_EQ(v[0].mean, 0);
  EXPECT_EQ(v[0].sigma, 0);
  EXPECT_EQ(v[0].limits.ucl, 0);
  EXPECT_EQ(v[0].limits.lcl, 0);
  std::vector<store::StageRecord> stages = ErrorStages(*store);
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_TRUE(stages[0].stage.degenerate());
}

TEST(ErrorRateMonitor, BaselineOutOfControlIsReviewedAsPhaseOne) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "phase1.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  int opened = 0;
  std::vector<Sample> s = Calls(Failing({0, 0, 0, 0, 10}));
  for (const Sample& c : s) opened += m.Ingest({c})->violations_opened;
  EXPECT_EQ(opened, 0) << "baseline firings raise no alert";
  std::vector<store::ViolationRecord> v = ErrorViolations(*store);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].phase, spc::Phase::kBaseline);
  EXPECT_EQ(v[0].first_index, 80);
  EXPECT_DOUBLE_EQ(v[0].mean, 0.1);
}

TEST(ErrorRateMonitor, ShownLimitsAreClippedToZeroAndOne) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "shown.db");
  SeriesMonitor m(*store, MonitorConfig::Defaults());
  const spc::ChartConfig& config = m.ChartConfigFor(Metric::kError);
  const spc::Stage high = spc::PChartStage(0.9, m.config().error_chart);
  const double sigma = std::sqrt(0.9 * 0.1 / 20);
  EXPECT_DOUBLE_EQ(high.sigma, sigma);
  const spc::Limits l = ShownLimits(Metric::kError, high, config);
  EXPECT_EQ(l.ucl, 1.0);
  EXPECT_EQ(l.upper_2s, 1.0);
  EXPECT_DOUBLE_EQ(l.upper_1s, 0.9 + sigma);
  EXPECT_DOUBLE_EQ(l.lcl, 0.9 - 3 * sigma);
  const spc::Limits low =
      ShownLimits(Metric::kError, spc::PChartStage(0.02, m.config().error_chart), config);
  EXPECT_EQ(low.lcl, 0.0);
  EXPECT_EQ(low.lower_2s, 0.0);
}

// 400 calls: about 2 % failing, a surge over subgroups 12–13 (calls 240–279) and a lone bad one.
std::vector<Sample> Noisy() {
  std::mt19937_64 rng(5);
  std::bernoulli_distribution normal(0.02), surge(0.3);
  std::vector<bool> failed;
  for (int i = 0; i < 400; ++i) {
    failed.push_back(i >= 240 && i < 280 ? surge(rng) : (i >= 320 && i < 325) || normal(rng));
  }
  return Calls(failed);
}

TEST(ErrorRateMonitor, RestartAnywhereChangesNoStageAndNoViolation) {
  TempDir dir;
  std::vector<Sample> s = Noisy();
  auto straight = OpenSqliteStore(dir, "straight.db");
  {
    SeriesMonitor m(*straight, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, s.size(), 7);
  }
  const std::vector<store::ViolationRecord> expected = ErrorViolations(*straight);
  ASSERT_GE(expected.size(), 2u);
  bool spans_the_cut = false;  // an event open across the restart at 263
  for (const store::ViolationRecord& v : expected) {
    spans_the_cut |= v.first_index < 263 && v.last_index >= 263;
  }
  EXPECT_TRUE(spans_the_cut);
  // Restarts while learning, right after freezing, inside a subgroup, and amid the surge.
  for (size_t cut : {size_t{57}, size_t{100}, size_t{130}, size_t{263}}) {
    const std::string name = "cut" + std::to_string(cut) + ".db";
    {
      auto st = OpenSqliteStore(dir, name);
      SeriesMonitor m(*st, MonitorConfig::Defaults());
      ASSERT_TRUE(m.Rebuild().ok());
      IngestAll(m, s, 0, cut, 3);
    }
    auto st = OpenSqliteStore(dir, name);
    SeriesMonitor m(*st, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    EXPECT_EQ(m.View(kErrors)->points, static_cast<int64_t>(cut));
    IngestAll(m, s, cut, s.size(), 5);
    std::vector<store::ViolationRecord> got = ErrorViolations(*st);
    ASSERT_EQ(got.size(), expected.size()) << "cut " << cut;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].phase, expected[i].phase);
      EXPECT_EQ(got[i].first_index, expected[i].first_index);
      EXPECT_EQ(got[i].last_index, expected[i].last_index) << "cut " << cut;
      EXPECT_EQ(got[i].count, expected[i].count);
      EXPECT_EQ(got[i].worst_value, expected[i].worst_value);
      EXPECT_EQ(got[i].limits.ucl, expected[i].limits.ucl);
      EXPECT_EQ(got[i].context_json, expected[i].context_json) << "cut " << cut;
    }
    std::vector<store::StageRecord> a = ErrorStages(*straight), b = ErrorStages(*st);
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u) << "cut " << cut;
    EXPECT_EQ(a[0].stage.mean, b[0].stage.mean);
    EXPECT_EQ(a[0].stage.sigma, b[0].stage.sigma);
    EXPECT_EQ(a[0].created_ms, b[0].created_ms);
    EXPECT_EQ(m.View(kErrors)->stage->mean, a[0].stage.mean);
  }
}

TEST(ErrorRateMonitor, NewStageRelearnsAndSurvivesRestart) {
  TempDir dir;
  // p̄ = 0.02 in stage 0; from call 160 on, 2 of every 20 calls fail (p̄ = 0.10 in stage 1).
  std::vector<int> failures{1, 0, 0, 1, 0, 0, 0, 0};
  for (int j = 0; j < 10; ++j) failures.push_back(2);
  std::vector<Sample> s = Calls(Failing(failures));
  {
    auto st = OpenSqliteStore(dir, "stage.db");
    SeriesMonitor m(*st, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, 165, 5);  // a subgroup unfinished at the re-baseline
    Result<store::StageRecord> r = m.StartNewStage(kErrors, std::nullopt, kT0 + 999999);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->frozen);
    EXPECT_EQ(r->stage.number, 1);
    EXPECT_EQ(r->stage.start_index, 165);
    EXPECT_EQ(r->start_sample_id, 166);
    EXPECT_EQ(m.StartNewStage(kErrors, std::make_pair(kT0, kT0 + 1000), kT0).error().code,
              "invalid_field");
    IngestAll(m, s, 165, 215, 10);
    EXPECT_TRUE(m.View(kErrors)->learning);
    EXPECT_EQ(m.View(kErrors)->learning_points, 50);
  }
  auto st = OpenSqliteStore(dir, "stage.db");
  SeriesMonitor m(*st, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  EXPECT_TRUE(m.View(kErrors)->learning);
  EXPECT_EQ(m.View(kErrors)->learning_points, 50);
  EXPECT_EQ(m.View(kErrors)->points, 215);
  // Stage 1's subgroups begin at call 165: each holds the 2 failures at the start of a block.
  IngestAll(m, s, 215, 300, 10);
  std::optional<SeriesView> view = m.View(kErrors);
  ASSERT_FALSE(view->learning);
  EXPECT_EQ(view->stage->number, 1);
  EXPECT_EQ(view->stage->start_index, 165);
  EXPECT_DOUBLE_EQ(view->stage->mean, 0.10);
  std::vector<store::StageRecord> stages = ErrorStages(*st);
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_TRUE(stages[1].frozen);
  EXPECT_EQ(stages[1].stage.number, 1);
  EXPECT_EQ(stages[1].start_sample_id, 166);
  EXPECT_DOUBLE_EQ(stages[1].stage.mean, 0.10);
  EXPECT_TRUE(ErrorViolations(*st).empty());
}

}  // namespace
}  // namespace llmscope::monitor

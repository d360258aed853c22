// SeriesMonitor over a real SQLite store: violations are stored with their context and limits,
// a restart (at any point, even mid-event) changes no stage and no violation, violations lost
// between the sample commit and their own write are restored by the replay, re-baselining
// survives a restart, and concurrent ingest is group-committed without losing a sample; an
// asynchronous ingest is completed only after its commit and its listeners, even when the
// monitor is destroyed with it queued.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "monitor/series_monitor.h"
#include "monitor_test_support.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::monitor {
namespace {

constexpr int64_t kT0 = 1795446245000;

using llmscope::testing::TempDir;

using testing::IngestAll;
using testing::OpenSqliteStore;

Sample Make(int i, double e2e, const std::string& model = "llama3") {
  Sample s;
  s.time_ms = kT0 + i * 2000;
  s.source = SourceKey{"ollama", model, "", ""};
  s.e2e_ms = e2e;
  s.ttft_ms = e2e / 10;
  s.telemetry.cpu_percent = 10 + i % 50;
  return s;
}

// 400 points: in control, a spike at 150, a shift from 250 (events that span batches).
std::vector<Sample> Series() {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0, 0.05);
  std::vector<Sample> out;
  for (int i = 0; i < 400; ++i) {
    double v = 2000 * std::exp(noise(rng) + (i >= 250 ? 0.12 : 0.0));
    if (i == 150) v = 6000;
    out.push_back(Make(i, v));
  }
  return out;
}

std::vector<store::ViolationRecord> Violations(store::Store& s) {
  store::ViolationQuery q;
  q.limit = 1000000;
  Result<std::vector<store::ViolationRecord>> v = s.QueryViolations(q);
  EXPECT_TRUE(v.ok());
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    return std::tie(a.series, a.rule, a.stage, a.first_index) <
           std::tie(b.series, b.rule, b.stage, b.first_index);
  });
  return *v;
}

void ExpectSameViolations(const std::vector<store::ViolationRecord>& a,
                          const std::vector<store::ViolationRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].series, b[i].series);
    EXPECT_EQ(a[i].rule, b[i].rule);
    EXPECT_EQ(a[i].phase, b[i].phase);
    EXPECT_EQ(a[i].first_index, b[i].first_index);
    EXPECT_EQ(a[i].last_index, b[i].last_index) << spc::RuleName(a[i].rule);
    EXPECT_EQ(a[i].count, b[i].count);
    EXPECT_EQ(a[i].mean, b[i].mean);
    EXPECT_EQ(a[i].sigma, b[i].sigma);
    EXPECT_EQ(a[i].context_json, b[i].context_json);
  }
}

TEST(SeriesMonitor, StoresViolationsWithLimitsAndContext) {
  TempDir dir;
  auto store = OpenSqliteStore(dir, "a.db");
  SeriesMonitor monitor(*store, MonitorConfig::Defaults());
  ASSERT_TRUE(monitor.Rebuild().ok());
  std::vector<Sample> s = Series();
  IngestAll(monitor, s, 0, 200, 1);

  SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  std::optional<SeriesView> view = monitor.View(e2e);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->learning);
  EXPECT_EQ(view->points, 200);
  ASSERT_TRUE(view->stage.has_value());
  Result<std::vector<store::StageRecord>> stages = store->LoadStages(e2e);
  ASSERT_TRUE(stages.ok());
  ASSERT_EQ(stages->size(), 1u);
  EXPECT_TRUE((*stages)[0].frozen);
  EXPECT_EQ((*stages)[0].start_sample_id, 1);
  EXPECT_EQ((*stages)[0].stage.mean, view->stage->mean);

  store::ViolationQuery q;
  q.series = e2e;
  q.rule = spc::Rule::kR1;
  q.phase = spc::Phase::kMonitoring;
  Result<std::vector<store::ViolationRecord>> r1 = store->QueryViolations(q);
  ASSERT_TRUE(r1.ok());
  ASSERT_EQ(r1->size(), 1u);
  const store::ViolationRecord& v = (*r1)[0];
  EXPECT_EQ(v.first_index, 150);
  EXPECT_EQ(v.value, 6000);
  EXPECT_EQ(v.first_time_ms, kT0 + 150 * 2000);
  EXPECT_GT(v.limits.ucl, v.limits.center);
  EXPECT_LT(v.limits.ucl, 6000);
  // ±10 points, all arrived by index 199.
  EXPECT_NE(v.context_json.find("\"index\":140"), std::string::npos);
  EXPECT_NE(v.context_json.find("\"index\":160"), std::string::npos);
  EXPECT_EQ(v.context_json.find("\"index\":161"), std::string::npos);
  EXPECT_EQ(v.context_json.find("\"index\":139"), std::string::npos);
}

TEST(SeriesMonitor, RestartAnywhereChangesNoStageAndNoViolation) {
  TempDir dir;
  std::vector<Sample> s = Series();
  auto straight = OpenSqliteStore(dir, "straight.db");
  {
    SeriesMonitor m(*straight, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, s.size(), 7);
  }
  const std::vector<store::ViolationRecord> expected = Violations(*straight);
  ASSERT_GT(expected.size(), 5u);
  bool spans_the_cut = false;  // an event open across the restart at 263
  for (const store::ViolationRecord& v : expected) {
    spans_the_cut |= v.first_index < 263 && v.last_index >= 263;
  }
  EXPECT_TRUE(spans_the_cut);
  // Restarts inside the learning stage, right after freezing, inside the spike's context window
  // and in the middle of the shift's R2 run.
  for (size_t cut : {size_t{57}, size_t{100}, size_t{155}, size_t{263}}) {
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
    IngestAll(m, s, cut, s.size(), 5);
    ExpectSameViolations(expected, Violations(*st));
    SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
    Result<std::vector<store::StageRecord>> a = straight->LoadStages(e2e), b = st->LoadStages(e2e);
    ASSERT_EQ(a->size(), b->size()) << "cut " << cut;
    EXPECT_EQ((*a)[0].stage.mean, (*b)[0].stage.mean);
    EXPECT_EQ((*a)[0].stage.sigma, (*b)[0].stage.sigma);
  }
}

// Ingests the series, changes the stored violations with `sql` as a crash could have left them,
// starts again, and expects the replay to have restored what the first run stored.
void ExpectReplayRestores(const std::string& sql) {
  TempDir dir;
  std::vector<Sample> s = Series();
  std::vector<store::ViolationRecord> before;
  {
    auto st = OpenSqliteStore(dir, "crashed.db");
    SeriesMonitor m(*st, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, s.size(), 50);
    before = Violations(*st);
  }
  ASSERT_GT(before.size(), 3u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("crashed.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto st = OpenSqliteStore(dir, "crashed.db");
  SeriesMonitor m(*st, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  ExpectSameViolations(before, Violations(*st));
}

// As if the server died after committing samples but before writing the later violations.
TEST(SeriesMonitor, ReplayRestoresViolationsLostBeforeTheirWrite) {
  ExpectReplayRestores("DELETE FROM violations WHERE first_index >= 250");
}

// The replay compares stored contexts by hash, without holding them: a context stored before
// all its points came (the server then crashed) is written again whole.
TEST(SeriesMonitor, ReplayRewritesAContextStoredBeforeItsPointsCame) {
  ExpectReplayRestores("UPDATE violations SET context_json = '{\"points\":[]}' WHERE id % 2 = 0");
}

TEST(SeriesMonitor, NewStageRelearnsAndSurvivesRestart) {
  TempDir dir;
  std::vector<Sample> s = Series();
  SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  {
    auto st = OpenSqliteStore(dir, "stage.db");
    SeriesMonitor m(*st, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    IngestAll(m, s, 0, 120, 10);
    Result<store::StageRecord> r = m.StartNewStage(e2e, std::nullopt, kT0 + 999999);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->frozen);
    EXPECT_EQ(r->stage.number, 1);
    EXPECT_EQ(r->stage.start_index, 120);
    EXPECT_EQ(r->start_sample_id, 121);
    IngestAll(m, s, 120, 150, 10);
    EXPECT_TRUE(m.View(e2e)->learning);
    EXPECT_EQ(m.View(e2e)->learning_points, 30);
  }
  auto st = OpenSqliteStore(dir, "stage.db");
  SeriesMonitor m(*st, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  EXPECT_TRUE(m.View(e2e)->learning);
  EXPECT_EQ(m.View(e2e)->learning_points, 30);
  EXPECT_EQ(m.View(e2e)->points, 150);
  IngestAll(m, s, 150, 220, 10);
  EXPECT_FALSE(m.View(e2e)->learning);
  EXPECT_EQ(m.View(e2e)->stage->number, 1);
  EXPECT_EQ(m.View(e2e)->stage->start_index, 120);
  // From a window: frozen at once.
  Result<store::StageRecord> w =
      m.StartNewStage(e2e, std::make_pair(kT0, kT0 + 100 * 2000), kT0 + 999999);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->frozen);
  EXPECT_TRUE(w->external_baseline);
  EXPECT_EQ(w->stage.baseline_size, 100);
  EXPECT_FALSE(m.View(e2e)->learning);
  SeriesKey unknown{SourceKey{"x", "y", "", ""}, Metric::kE2eMs};
  EXPECT_EQ(m.StartNewStage(unknown, std::nullopt, kT0).error().code, "not_found");
}

TEST(SeriesMonitor, ConcurrentIngestIsGroupCommittedWithoutLoss) {
  TempDir dir;
  auto st = OpenSqliteStore(dir, "group.db");
  SeriesMonitor m(*st, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> ids(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Result<IngestReceipt> r = m.Ingest({Make(i, 2000 + t * 10 + i % 7)});
        if (r.ok()) ids[t].push_back(r->ids.at(0));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& v : ids) {
    EXPECT_EQ(v.size(), 200u);
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), 1600u);
  EXPECT_EQ(*all.rbegin(), 1600);
  SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  EXPECT_EQ(m.View(e2e)->points, 1600);
}

TEST(SeriesMonitor, AsynchronousIngestIsCompletedAfterItsCommitAndItsListeners) {
  TempDir dir;
  auto st = OpenSqliteStore(dir, "async.db");
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<int64_t, int>> completed;  // a sample's id; samples published by then
  std::atomic<int> published{0};
  auto done = [&](Result<IngestReceipt> r) {
    std::lock_guard lock(mu);
    ASSERT_TRUE(r.ok()) << r.error().message;
    completed.emplace_back(r->ids.at(0), published.load());
    cv.notify_all();
  };
  {
    SeriesMonitor m(*st, MonitorConfig::Defaults());
    ASSERT_TRUE(m.Rebuild().ok());
    m.AddListener([&](const MonitorBatch& batch) {
      published += static_cast<int>(batch.samples.size());
    });
    for (int i = 0; i < 300; ++i) m.IngestAsync({Make(i, 2000 + i % 7)}, done);
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return completed.size() == 300; });
    ASSERT_EQ(completed.size(), 300u);
    // Queued as the monitor is destroyed: still committed and completed.
    lock.unlock();
    m.IngestAsync({Make(300, 2000)}, done);
  }
  ASSERT_EQ(completed.size(), 301u);
  std::set<int64_t> ids;
  for (const auto& [id, published_then] : completed) {
    ids.insert(id);
    EXPECT_GE(published_then, id) << "completed before its sample was published";
  }
  EXPECT_EQ(ids.size(), 301u);
  EXPECT_EQ(st->Stats()->samples, 301);
}

TEST(SeriesMonitor, ResentSamplesAreAcknowledgedButNeitherJudgedNorPublishedAgain) {
  TempDir dir;
  auto st = OpenSqliteStore(dir, "resend.db");
  SeriesMonitor m(*st, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  int published_samples = 0, opened_events = 0;
  m.AddListener([&](const MonitorBatch& batch) {
    published_samples += static_cast<int>(batch.samples.size());
    for (const MonitorEvent& e : batch.events) {
      if (e.kind == MonitorEvent::Kind::kViolationOpened) ++opened_events;
    }
  });
  std::vector<Sample> keyed = Series();
  keyed.resize(200);  // the spike at 150 opens an R1 event
  for (size_t i = 0; i < keyed.size(); ++i) keyed[i].ingest_key = "probe-1-" + std::to_string(i);
  std::vector<int64_t> ids;
  for (size_t at = 0; at < keyed.size(); at += 20) {
    Result<IngestReceipt> r =
        m.Ingest(std::vector<Sample>(keyed.begin() + at, keyed.begin() + at + 20));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->duplicates, 0);
    ids.insert(ids.end(), r->ids.begin(), r->ids.end());
  }
  SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  const std::vector<store::ViolationRecord> violations = Violations(*st);
  ASSERT_FALSE(violations.empty());
  const int published_before = published_samples, opened_before = opened_events;
  EXPECT_EQ(published_before, 200);

  // Everything again, in other batches, with one new sample in the last: only that one counts.
  std::vector<Sample> again = keyed;
  Sample fresh = Make(200, 2000);
  fresh.ingest_key = "probe-1-200";
  again.push_back(fresh);
  std::vector<int64_t> again_ids;
  int duplicates = 0;
  for (size_t at = 0; at < again.size(); at += 67) {
    Result<IngestReceipt> r = m.Ingest(
        std::vector<Sample>(again.begin() + at, again.begin() + std::min(again.size(), at + 67)));
    ASSERT_TRUE(r.ok());
    duplicates += r->duplicates;
    again_ids.insert(again_ids.end(), r->ids.begin(), r->ids.end());
  }
  EXPECT_EQ(duplicates, 200);
  ASSERT_EQ(again_ids.size(), 201u);
  EXPECT_EQ(std::vector<int64_t>(again_ids.begin(), again_ids.end() - 1), ids);
  EXPECT_GT(again_ids.back(), ids.back());
  EXPECT_EQ(m.View(e2e)->points, 201);
  EXPECT_EQ(published_samples, published_before + 1);
  EXPECT_EQ(opened_events, opened_before);
  EXPECT_EQ(st->Stats()->samples, 201);
  std::vector<store::ViolationRecord> after = Violations(*st);
  ASSERT_EQ(after.size(), violations.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, violations[i].id);
    EXPECT_EQ(after[i].first_index, violations[i].first_index);
  }
}

TEST(SeriesMonitor, FailedCallsDoNotEnterTheLatencyChart) {
  TempDir dir;
  auto st = OpenSqliteStore(dir, "err.db");
  SeriesMonitor m(*st, MonitorConfig::Defaults());
  ASSERT_TRUE(m.Rebuild().ok());
  Sample failed = Make(0, 30000);
  failed.error = true;
  ASSERT_TRUE(m.Ingest({Make(0, 2000), failed, Make(1, 2100)}).ok());
  SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  EXPECT_EQ(m.View(e2e)->points, 2);
}

}  // namespace
}  // namespace llmscope::monitor

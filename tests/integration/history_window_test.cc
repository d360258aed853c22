// History at any range through the real `llmscope serve` on 127.0.0.1: GET /api/stats/spc with
// both ends of a window (since, until), display points (max_points, M4) and the marks of every
// violation of the window.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <ranges>
#include <thread>

#include "core/time_format.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace {

using llmscope::FormatIsoUtc;
using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::ServerOptions;
using llmscope::testing::StartServer;
using llmscope::testing::TempDir;
using nlohmann::json;

constexpr int kPoints = 600;
constexpr int kSpike = 450;  // a point far above the rest: R1 fires on it
constexpr int64_t kStepMs = 10000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 600 points 10 s apart ending 10 minutes ago: noise around 1000 ms and one spike.
int64_t IngestHistory(const ServerProcess& s) {
  const int64_t t0 = (NowMs() - 600000 - kPoints * kStepMs) / 1000 * 1000;
  json samples = json::array();
  for (int i = 0; i < kPoints; ++i) {
    const double ms = i == kSpike ? 50000.0 : 1000.0 + static_cast<double>((i * 7919) % 61);
    samples.push_back(json{{"provider", "p"},
                           {"model", "m"},
                           {"latency_ms", ms},
                           {"timestamp", FormatIsoUtc(t0 + i * kStepMs)}});
  }
  const Reply r = s.Call("POST", "/api/stats", json{{"samples", samples}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  return t0;
}

json Get(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

TEST(HistoryWindow, BothEndsOfAWindowAreHonoured) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t t0 = IngestHistory(*server);
  const json v =
      Get(*server, "/api/stats/spc?provider=p&model=m&since=" + FormatIsoUtc(t0 + 100 * kStepMs) +
                       "&until=" + FormatIsoUtc(t0 + 200 * kStepMs));
  ASSERT_EQ(v["count"], 100);
  EXPECT_EQ(v["time_ms"].front(), t0 + 100 * kStepMs);
  EXPECT_EQ(v["time_ms"].back(), t0 + 199 * kStepMs);
  EXPECT_FALSE(v.contains("downsampled"));  // without max_points the reply is as before
}

TEST(HistoryWindow, DisplayPointsKeepTheExtremesTheViolationAndTheWholeSummary) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t t0 = IngestHistory(*server);
  const std::string window = "/api/stats/spc?provider=p&model=m&since=" + FormatIsoUtc(t0) +
                             "&until=" + FormatIsoUtc(t0 + kPoints * kStepMs);
  const json full = Get(*server, window);
  const json shown = Get(*server, window + "&max_points=40&columns=chart");
  ASSERT_EQ(full["count"], kPoints);
  EXPECT_EQ(shown["window_count"], kPoints);
  EXPECT_EQ(shown["downsampled"], true);
  // 40 display points: the violations' points take at most 10, the rest are buckets of four.
  const int64_t bucket_ms = shown["bucket_ms"];
  EXPECT_GE(bucket_ms, kPoints * kStepMs / 10);
  EXPECT_LE(bucket_ms, kPoints * kStepMs / 7 + 60000);  // whole minutes when read from rollups
  const auto& values = shown["values"];
  EXPECT_LE(values.size(), 40u);
  EXPECT_EQ(shown["count"], values.size());
  EXPECT_EQ(shown["time_ms"].size(), values.size());
  EXPECT_TRUE(std::is_sorted(shown["time_ms"].begin(), shown["time_ms"].end()));
  // The extremes of the whole window are among the display points.
  std::vector<double> all = full["values"].get<std::vector<double>>();
  const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
  const std::vector<double> listed = values.get<std::vector<double>>();
  EXPECT_NE(std::find(listed.begin(), listed.end(), *hi), listed.end());
  EXPECT_NE(std::find(listed.begin(), listed.end(), *lo), listed.end());
  // The summary and the violations describe the window, not the display points: a window this
  // long for 40 points is read from the minute rollups, whose sums give all but percentiles;
  // those come from the hours' sketches and the samples of the rest, within 1 %.
  EXPECT_EQ(full["source"], "samples");
  EXPECT_EQ(shown["source"], "rollup_1m");
  for (const char* exact : {"count", "min", "max", "error_rate", "violations_by_rule"}) {
    EXPECT_EQ(shown["summary"][exact], full["summary"][exact]) << exact;
  }
  for (const char* close : {"mean", "std"}) {
    const double want = full["summary"][close];
    EXPECT_NEAR(shown["summary"][close].get<double>(), want, 1e-9 * want) << close;
  }
  for (const char* percentile : {"median", "p50", "p95", "p99"}) {
    const double want = full["summary"][percentile];
    EXPECT_NEAR(shown["summary"][percentile].get<double>(), want, 0.01 * want) << percentile;
  }
  EXPECT_EQ(shown["summary"]["percentiles_relative_error"], 0.01);
  EXPECT_FALSE(shown["summary"].contains("percentiles_omitted"));
  EXPECT_EQ(shown["violation_marks"], full["violation_marks"]);
  const auto& marks = shown["violation_marks"];
  ASSERT_FALSE(marks["ids"].empty());
  const auto spike =
      std::find(marks["time_ms"].begin(), marks["time_ms"].end(), t0 + kSpike * kStepMs);
  ASSERT_NE(spike, marks["time_ms"].end()) << marks.dump();
  EXPECT_EQ(marks["rules"][spike - marks["time_ms"].begin()], "R1");
  EXPECT_EQ(marks["severities"][spike - marks["time_ms"].begin()], "info");
  EXPECT_EQ(shown["violation_marks_truncated"], false);
  // The newest listed violations' first points are listed as themselves.
  for (const json& violation : shown["violations"] | std::views::take(10)) {
    const auto at =
        std::find(shown["time_ms"].begin(), shown["time_ms"].end(), violation["first_time_ms"]);
    EXPECT_NE(at, shown["time_ms"].end()) << violation.dump();
  }
}

// Each display bucket's smallest and largest value are the window's own in that bucket, when
// the display points come from rollups, and the newest listed violations' points are there.
TEST(HistoryWindow, RollupDisplayPointsHoldEachBucketsExtremesAndTheViolations) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t t0 = IngestHistory(*server);
  const std::string window = "/api/stats/spc?provider=p&model=m&since=" + FormatIsoUtc(t0 + 7000) +
                             "&until=" + FormatIsoUtc(t0 + kPoints * kStepMs - 13000);
  const json full = Get(*server, window);
  const json shown = Get(*server, window + "&max_points=120&columns=chart");
  ASSERT_EQ(shown["source"], "rollup_1m");
  EXPECT_EQ(shown["window_count"], full["count"]);
  EXPECT_EQ(shown["downsampled"], true);
  const int64_t bucket_ms = shown["bucket_ms"];
  ASSERT_EQ(bucket_ms % 60000, 0);  // whole minutes, from the minute before the window
  const int64_t start = (t0 + 7000) / 60000 * 60000;
  using Extremes = std::map<int64_t, std::pair<double, double>>;
  auto extremes = [&](const json& v) {
    Extremes out;
    for (size_t i = 0; i < v["values"].size(); ++i) {
      if (v["values"][i].is_null()) continue;
      const double x = v["values"][i];
      const int64_t bucket = (v["time_ms"][i].get<int64_t>() - start) / bucket_ms;
      auto [it, fresh] = out.try_emplace(bucket, x, x);
      it->second = {std::min(it->second.first, x), std::max(it->second.second, x)};
    }
    return out;
  };
  EXPECT_EQ(extremes(shown), extremes(full));
  ASSERT_FALSE(shown["violations"].empty());
  for (const json& violation : shown["violations"] | std::views::take(120 / 4)) {
    const auto at =
        std::find(shown["time_ms"].begin(), shown["time_ms"].end(), violation["first_time_ms"]);
    EXPECT_NE(at, shown["time_ms"].end()) << violation.dump();
  }
  // The ids listed are the samples' own, with their values.
  for (size_t i = 0; i < shown["ids"].size(); ++i) {
    const auto at = std::find(full["ids"].begin(), full["ids"].end(), shown["ids"][i]);
    ASSERT_NE(at, full["ids"].end());
    EXPECT_EQ(full["values"][at - full["ids"].begin()], shown["values"][i]);
  }
}

// Minute rollups are kept for less time than hour rollups: a window of display buckets of
// minutes that is older than rollup_minute_days is read from the hour rollups, with no gap.
TEST(HistoryWindow, AWindowPastMinuteRollupRetentionIsReadFromHourRollups) {
  constexpr int64_t kHourMs = 3'600'000, kDayMs = 86'400'000;
  const TempDir dir("llmscope-history-retention");
  ServerOptions o;
  o.extra_args = {"--config",
                  dir.Write("llmscope.toml",
                            "[store]\nretention_days = 1\nrollup_minute_days = 1\n"
                            "rollup_hour_days = 400\n")};
  auto server = StartServer(LLMSCOPE_BINARY, o);
  ASSERT_TRUE(server);
  // Three whole hours, a point every 10 s, three days ago: kept until retention next runs.
  const int64_t t0 = (NowMs() - 3 * kDayMs) / kHourMs * kHourMs;
  constexpr int kCount = 3 * 360;
  json samples = json::array();
  for (int i = 0; i < kCount; ++i) {
    samples.push_back(json{{"provider", "p"},
                           {"model", "m"},
                           {"latency_ms", 1000.0 + static_cast<double>((i * 7919) % 61)},
                           {"timestamp", FormatIsoUtc(t0 + i * kStepMs)}});
  }
  ASSERT_EQ(server->Call("POST", "/api/stats", json{{"samples", samples}}.dump()).status, 200);
  const std::string window = "/api/stats/spc?provider=p&model=m&max_points=60&columns=chart" +
                             std::string("&since=") + FormatIsoUtc(t0) +
                             "&until=" + FormatIsoUtc(t0 + 3 * kHourMs);
  const json fresh = Get(*server, window);
  ASSERT_EQ(fresh["source"], "rollup_1m");
  ASSERT_EQ(fresh["window_count"], kCount);

  // Retention runs as the server starts, beside it: the samples and then the minute rollups go
  // (one statement), the hours stay.
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  json old;
  for (int i = 0; i < 1000; ++i) {
    old = Get(*server, window);
    if (old["source"] == "rollup_1h") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(old["source"], "rollup_1h");
  EXPECT_EQ(old["window_count"], kCount);
  EXPECT_EQ(old["bucket_ms"], fresh["bucket_ms"]);
  for (const char* exact : {"count", "min", "max", "error_rate"}) {
    EXPECT_EQ(old["summary"][exact], fresh["summary"][exact]) << exact;
  }
  // Each hour's first, smallest, largest and last points, as rolled up.
  ASSERT_GE(old["count"].get<int>(), 3 * 2);
  EXPECT_LE(old["count"].get<int>(), 3 * 4);
  for (const json& t : old["time_ms"]) {
    EXPECT_GE(t.get<int64_t>(), t0);
    EXPECT_LT(t.get<int64_t>(), t0 + 3 * kHourMs);
  }
  const std::vector<double> values = old["values"].get<std::vector<double>>();
  EXPECT_EQ(*std::min_element(values.begin(), values.end()), fresh["summary"]["min"]);
  EXPECT_EQ(*std::max_element(values.begin(), values.end()), fresh["summary"]["max"]);
}

// A window read from rollups marks its violations per display bucket from the store's counts:
// every one of the window is counted, past the 200 listed, and the summary's counts per rule are
// the same as those of the whole window read from the samples.
TEST(HistoryWindow, ARollupWindowCountsEveryViolationPerBucket) {
  constexpr int64_t kDayMs = 86'400'000;
  constexpr int kCount = 3000;
  constexpr int64_t kStep = 30 * kDayMs / kCount;  // 14.4 minutes
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t t0 = (NowMs() - 30 * kDayMs) / 1000 * 1000;
  json samples = json::array();
  for (int i = 0; i < kCount; ++i) {
    const bool spike = i > 300 && i % 9 == 0;  // ~300 R1 violations after the baseline
    samples.push_back(json{{"provider", "p"},
                           {"model", "m"},
                           {"latency_ms", spike ? 50000.0 : 1000.0 + static_cast<double>((i * 7919) % 61)},
                           {"timestamp", FormatIsoUtc(t0 + i * kStep)}});
  }
  ASSERT_EQ(server->Call("POST", "/api/stats", json{{"samples", samples}}.dump()).status, 200);
  const std::string window = "/api/stats/spc?provider=p&model=m&since=" + FormatIsoUtc(t0 - 60000) +
                             "&until=" + FormatIsoUtc(t0 + kCount * kStep + 60000);
  const json full = Get(*server, window + "&limit=100000");
  const json shown = Get(*server, window + "&max_points=200&columns=chart");
  ASSERT_EQ(shown["source"], "rollup_1h");
  ASSERT_EQ(full["source"], "samples");
  const json& by_rule = full["summary"]["violations_by_rule"];
  int64_t stored = 0;
  for (const auto& [rule, n] : by_rule.items()) stored += n.get<int64_t>();
  ASSERT_GT(stored, 250);
  EXPECT_EQ(shown["summary"]["violations_by_rule"], by_rule);
  EXPECT_EQ(shown["violations_truncated"], true);
  EXPECT_EQ(shown["violations"].size(), 200u);
  EXPECT_EQ(shown["violation_marks_truncated"], false);
  // Marks per bucket and rule, a count each: the listed ones on their own (with their ids), the
  // rest per bucket (no id), every violation once.
  const json& marks = shown["violation_marks"];
  int64_t marked = 0, buckets = 0;
  for (size_t i = 0; i < marks["counts"].size(); ++i) {
    marked += marks["counts"][i].get<int64_t>();
    if (marks["ids"][i].is_null()) ++buckets;
  }
  EXPECT_EQ(marked, stored);
  EXPECT_GT(buckets, 0);
  EXPECT_LT(marks["counts"].size(), full["violation_marks"]["ids"].size());
  for (size_t i = 1; i < marks["time_ms"].size(); ++i) {
    EXPECT_LE(marks["time_ms"][i - 1].get<int64_t>(), marks["time_ms"][i].get<int64_t>());
  }
  // The dashboard's live windows have no end (`hours`, or `since` alone): counted the same.
  for (const std::string& open : {"since=" + FormatIsoUtc(t0 - 60000), std::string("hours=744")}) {
    const json live = Get(*server, "/api/stats/spc?provider=p&model=m&" + open +
                                       "&max_points=200&columns=chart");
    ASSERT_EQ(live["source"], "rollup_1h") << open;
    EXPECT_EQ(live["summary"]["violations_by_rule"], by_rule) << open;
  }
}

TEST(HistoryWindow, BadWindowsAreRefused) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  for (const char* query :
       {"&max_points=3", "&max_points=20001", "&max_points=x", "&since=yesterday",
        "&since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"}) {
    const Reply r = server->Call("GET", std::string("/api/stats/spc?provider=p&model=m") + query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(json::parse(r.body, nullptr, false)["error"]["code"], "invalid_parameter") << query;
  }
}

}  // namespace

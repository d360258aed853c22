// History at any range through the real `llmscope serve` on 127.0.0.1: GET /api/stats/spc with
// both ends of a window (since, until), display points (max_points, M4) and the marks of every
// violation of the window.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ranges>

#include "core/time_format.h"
#include "support/server_process.h"

namespace {

using llmscope::FormatIsoUtc;
using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
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
  EXPECT_LE(bucket_ms, kPoints * kStepMs / 7 + 1);
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
  // The summary and the violations describe the window, not the display points.
  EXPECT_EQ(shown["summary"], full["summary"]);
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

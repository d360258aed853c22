// The alerting layer through `llmscope serve` over real sockets: samples posted with
// their own timestamps (two hours at one every 2 s, then a ×1.3 regression) give each series an
// `alerting` object with its budget and computed figures, a SHIFT violation of severity warning
// with its onset and detection time, ?severity= filters the log and its CSV export, an unknown
// severity is a 400, and the chart's R1 signals are listed as info.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/time_format.h"
#include "support/server_process.h"

namespace {

using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;

json GetJson(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  return json::parse(r.body, nullptr, false);
}

TEST(AlarmApiTest, ARegressionIsAWarningWithItsBudgetAndTheLogFiltersBySeverity) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  constexpr int kPoints = 3 * 1800, kShiftAt = 2 * 1800;  // 3 h at 2 s; ×1.3 from 2 h on
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t t0 = now - int64_t{kPoints} * 2000 - 60000;
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0, 0.15);
  json batch = json::array();
  for (int i = 0; i < kPoints; ++i) {
    const double factor = i >= kShiftAt ? 1.3 : 1.0;
    batch.push_back(json{{"provider", "ollama"},
                         {"model", "llama3"},
                         {"timestamp", llmscope::FormatIsoUtc(t0 + int64_t{i} * 2000)},
                         {"latency_ms", 2000 * factor * std::exp(noise(rng))}});
    if (batch.size() == 1000 || i + 1 == kPoints) {
      const Reply r = server->Call("POST", "/api/stats", json{{"samples", batch}}.dump());
      ASSERT_EQ(r.status, 200) << r.body;
      batch = json::array();
    }
  }

  const json series = GetJson(*server, "/api/series")["series"];
  json e2e;
  for (const json& s : series) {
    if (s["metric"] == "e2e_ms") e2e = s;
  }
  ASSERT_TRUE(e2e.is_object()) << series.dump();
  EXPECT_EQ(e2e["state"], "violation");  // the regression lasts to the newest sample
  const json& a = e2e["alerting"];
  EXPECT_EQ(a["detector"], "shift");
  EXPECT_EQ(a["direction"], "up");
  EXPECT_EQ(a["learning"], false);
  EXPECT_EQ(a["budget_per_30d"], 1.0);
  EXPECT_NEAR(a["interval_s"].get<double>(), 2.0, 1e-9);
  EXPECT_LE(a["design_false_alerts_per_30d"].get<double>(), 1.0);
  EXPECT_LT(a["expected_false_alerts_per_30d"].get<double>(), 1.0);
  EXPECT_GT(a["detection_delay_s"].get<double>(), 0);
  EXPECT_LT(a["detection_delay_s"].get<double>(), 300);
  EXPECT_EQ(a["detection_target"], "\u00d71.2");

  const json alerts = GetJson(*server, "/api/violations?severity=critical,warning")["violations"];
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
  const json& v = alerts[0];
  EXPECT_EQ(v["rule"], "SHIFT");
  EXPECT_EQ(v["severity"], "warning");
  EXPECT_EQ(v["metric"], "e2e_ms");
  const int64_t shift_ms = t0 + int64_t{kShiftAt} * 2000;
  EXPECT_NEAR(static_cast<double>(v["first_time_ms"].get<int64_t>()), static_cast<double>(shift_ms),
              6 * 30000.0);  // the onset, estimated
  EXPECT_GT(v["detected_time_ms"].get<int64_t>(), shift_ms);
  EXPECT_LT(v["detected_time_ms"].get<int64_t>() - shift_ms, 5 * 60000);
  const json detail = GetJson(*server, "/api/violations/" + std::to_string(v["id"].get<int64_t>()));
  EXPECT_EQ(detail["severity"], "warning");
  EXPECT_FALSE(detail["context"]["points"].empty());

  // The exact chart's signals are there, all info, and not among the alerts.
  const json info = GetJson(*server, "/api/violations?severity=info&limit=10000")["violations"];
  EXPECT_GT(info.size(), 10u);
  for (const json& i : info) EXPECT_EQ(i["severity"], "info") << i["rule"];
  const Reply csv = server->Call("GET", "/api/export/violations?severity=warning");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("SHIFT"), std::string::npos);
  EXPECT_EQ(csv.body.find(",R1,"), std::string::npos) << csv.body.substr(0, 400);

  const Reply bad = server->Call("GET", "/api/violations?severity=urgent");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("severity"), std::string::npos) << bad.body;
}

}  // namespace

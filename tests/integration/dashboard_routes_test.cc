// The dashboard's server side on the real `llmscope serve` over 127.0.0.1: the page
// and its assets need no key and come with the right Content-Type and cache headers (or, in a
// build without web/dist, a page that says how to build it), any other path outside /api is the
// app; GET /api/stats/pchart judges error-rate subgroups with p̄ from the first subgroups and
// shows the live p-chart, whose R1 violations are in the log (metric error);
// GET /api/export/samples is CSV with escaped names; ?columns=chart drops the text columns; a
// browser on the loopback gets uncompressed bodies; bad parameters get 400 JSON errors.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/server_process.h"

namespace {

using llmscope::testing::Auth;
using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;

void Ingest(const ServerProcess& s, const json& samples) {
  const Reply r = s.Call("POST", "/api/stats", json{{"samples", samples}}.dump());
  ASSERT_EQ(r.status, 200) << r.body << r.transport_error;
}

void ExpectJsonError(const Reply& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  const json j = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["code"], code) << r.body;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(DashboardRoutes, PageAndAssetsNeedNoKeyAndCarryTheirTypes) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const Reply page = server->Call("GET", "/", "", Auth::kNone);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.Header("Cache-Control"), "no-cache");
  EXPECT_NE(page.body.find("LLMscope"), std::string::npos);

  std::smatch script;
  if (std::regex_search(page.body, script, std::regex(R"re(src="(/assets/[^"]+\.js)")re"))) {
    // The dashboard was built into this binary: its bundle is served, cached for good.
    const Reply js = server->Call("GET", script[1].str(), "", Auth::kNone);
    ASSERT_EQ(js.status, 200);
    EXPECT_EQ(js.Header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.Header("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_GT(js.body.size(), 1000u);
  } else {
    // Built without web/dist: the page says how to build the dashboard.
    EXPECT_NE(page.body.find("npm ci &amp;&amp; npm run build"), std::string::npos) << page.body;
  }
  // The single-page app answers its own paths; unknown assets and API routes stay 404.
  const Reply deep = server->Call("GET", "/series/ollama/llama3", "", Auth::kNone);
  EXPECT_EQ(deep.status, 200);
  EXPECT_EQ(deep.body, page.body);
  ExpectJsonError(server->Call("GET", "/assets/none-such.js", "", Auth::kNone), 404, "not_found");
  ExpectJsonError(server->Call("GET", "/api/none-such"), 404, "not_found");
  ExpectJsonError(server->Call("GET", "/api", "", Auth::kNone), 401, "unauthorized");
}

TEST(DashboardRoutes, PChartJudgesSubgroupsAgainstBaselineShare) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  // 5 baseline subgroups of 10 calls with one failure each (p̄ = 0.1, UCL ≈ 0.385), then a
  // subgroup with 8 failures, a normal one, and 3 calls of an incomplete subgroup.
  json samples = json::array();
  auto call = [&](bool failed) {
    json s{{"provider", "openai"}, {"model", "gpt-4o"}};
    if (failed) {
      s["error"] = true;
      s["error_kind"] = "timeout";
    } else {
      s["latency_ms"] = 800;
    }
    samples.push_back(s);
  };
  for (int g = 0; g < 5; ++g) {
    for (int i = 0; i < 10; ++i) call(i == 3);
  }
  for (int i = 0; i < 10; ++i) call(i < 8);
  for (int i = 0; i < 10; ++i) call(i == 5);
  for (int i = 0; i < 3; ++i) call(false);
  Ingest(*server, samples);

  const Reply r = server->Call(
      "GET", "/api/stats/pchart?provider=openai&model=gpt-4o&subgroup=10&baseline_subgroups=5");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["calls"], 73);
  EXPECT_EQ(j["failed"], 14);
  EXPECT_EQ(j["pending_calls"], 3);
  EXPECT_EQ(j["series"]["metric"], "error");
  ASSERT_EQ(j["subgroups"]["p"].size(), 7u);
  EXPECT_DOUBLE_EQ(j["subgroups"]["p"][5].get<double>(), 0.8);
  EXPECT_EQ(j["subgroups"]["failed"][6], 1);
  ASSERT_TRUE(j["limits"].is_object());
  EXPECT_NEAR(j["limits"]["p_bar"].get<double>(), 0.1, 1e-12);
  EXPECT_NEAR(j["limits"]["ucl"].get<double>(), 0.1 + 3 * std::sqrt(0.1 * 0.9 / 10), 1e-9);
  EXPECT_EQ(j["limits"]["lcl"], 0.0);
  ASSERT_EQ(j["firings"].size(), 1u) << j["firings"];
  EXPECT_EQ(j["firings"][0]["subgroup"], 5);
  EXPECT_EQ(j["firings"][0]["phase"], "monitoring");
  EXPECT_DOUBLE_EQ(j["firings"][0]["p"].get<double>(), 0.8);
  // The live chart (n = 20, 5 baseline subgroups) is still learning.
  EXPECT_EQ(j["live"]["state"], "learning") << j["live"];
  EXPECT_EQ(j["live"]["calls"], 73);
  EXPECT_EQ(j["live"]["learning_calls"], 73);
  EXPECT_EQ(j["live"]["baseline_calls"], 100);
  EXPECT_TRUE(j["live"]["limits"].is_null());

  // Fewer calls than the baseline: subgroups, no limits yet.
  const Reply early = server->Call(
      "GET", "/api/stats/pchart?provider=openai&model=gpt-4o&subgroup=10&baseline_subgroups=50");
  ASSERT_EQ(early.status, 200);
  EXPECT_TRUE(json::parse(early.body)["limits"].is_null());
}

TEST(DashboardRoutes, LivePChartLogsViolationsAndShowsItsLimits) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  // 100 calls with 2 failures (p̄ = 0.02, UCL = 0.02 + 3√(0.02 · 0.98/20) ≈ 0.114), then a
  // subgroup of 20 with 3 failures (0.15).
  json samples = json::array();
  for (int i = 0; i < 120; ++i) {
    const bool failed = i == 10 || i == 60 || (i >= 100 && i < 103);
    json s{{"provider", "openai"}, {"model", "gpt-4o"}};
    if (failed) {
      s["error"] = true;
    } else {
      s["latency_ms"] = 800;
    }
    samples.push_back(s);
  }
  Ingest(*server, samples);

  const Reply v = server->Call("GET", "/api/violations?metric=error");
  ASSERT_EQ(v.status, 200) << v.body;
  const json list = json::parse(v.body)["violations"];
  ASSERT_EQ(list.size(), 1u) << list;
  EXPECT_EQ(list[0]["rule"], "R1");
  EXPECT_EQ(list[0]["phase"], "monitoring");
  EXPECT_EQ(list[0]["first_index"], 100);
  EXPECT_EQ(list[0]["last_index"], 119);
  EXPECT_DOUBLE_EQ(list[0]["value"].get<double>(), 0.15);
  EXPECT_NEAR(list[0]["limits"]["ucl"].get<double>(), 0.1139, 1e-4);

  const Reply r = server->Call("GET", "/api/stats/pchart?provider=openai&model=gpt-4o");
  ASSERT_EQ(r.status, 200) << r.body;
  const json live = json::parse(r.body)["live"];
  EXPECT_EQ(live["state"], "monitoring") << live;
  EXPECT_EQ(live["stage"], 0);
  EXPECT_EQ(live["calls"], 120);
  EXPECT_DOUBLE_EQ(live["limits"]["p_bar"].get<double>(), 0.02);
  EXPECT_NEAR(live["limits"]["ucl"].get<double>(), 0.02 + 3 * std::sqrt(0.02 * 0.98 / 20), 1e-12);
  EXPECT_EQ(live["limits"]["lcl"], 0.0);
  EXPECT_EQ(live["limits"]["estimable"], true);
}

TEST(DashboardRoutes, SamplesCsvHoldsTheWindowWithEscapedNames) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  Ingest(*server, json::array({
                      json{{"provider", "acme, \"inc\""},
                           {"model", "m1"},
                           {"latency_ms", 100.5},
                           {"cpu_percent", 12.5}},
                      json{{"provider", "acme, \"inc\""}, {"model", "m1"}, {"latency_ms", 200}},
                      json{{"provider", "other"}, {"model", "m2"}, {"latency_ms", 300}},
                  }));
  const Reply all = server->Call("GET", "/api/export/samples?hours=1");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Header("Content-Type"), "text/csv");
  EXPECT_NE(all.Header("Content-Disposition").find("llmscope-samples.csv"), std::string::npos);
  std::vector<std::string> lines = Lines(all.body);
  ASSERT_EQ(lines.size(), 4u) << all.body;
  EXPECT_EQ(lines[0].rfind("id,time,provider,model,site,profile,e2e_ms,", 0), 0u);
  EXPECT_NE(lines[1].find(",\"acme, \"\"inc\"\"\",m1,,,100.5,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(",12.5,"), std::string::npos) << lines[1];

  const Reply one = server->Call("GET", "/api/export/samples?provider=other");
  ASSERT_EQ(one.status, 200);
  lines = Lines(one.body);
  ASSERT_EQ(lines.size(), 2u) << one.body;
  EXPECT_NE(lines[1].find(",other,m2,,,300,"), std::string::npos) << lines[1];
}

TEST(DashboardRoutes, ChartColumnsAreTheSameNumbersWithoutTheTextColumns) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  json samples = json::array();
  for (int i = 0; i < 30; ++i) {
    samples.push_back(json{{"provider", "p"},
                           {"model", "m"},
                           {"latency_ms", 1000 + i},
                           {"cpu_percent", i},
                           {"prompt_hash", "abc"}});
  }
  Ingest(*server, samples);
  const std::string query = "/api/stats/spc?provider=p&model=m&metric=e2e_ms&hours=1";
  const Reply full = server->Call("GET", query);
  const Reply chart = server->Call("GET", query + "&columns=chart");
  ASSERT_EQ(full.status, 200) << full.body;
  ASSERT_EQ(chart.status, 200) << chart.body;
  EXPECT_LT(chart.body.size(), full.body.size());
  const json f = json::parse(full.body), c = json::parse(chart.body);
  for (const char* kept :
       {"values", "time_ms", "ids", "errors", "cpu_percents", "memory_percents", "gpu_percents",
        "gpu_memory_percents", "limits", "stages", "summary", "violations", "chart"}) {
    EXPECT_EQ(c[kept], f[kept]) << kept;
  }
  for (const char* dropped :
       {"timestamps", "models", "providers", "prompt_hashes", "total_durations", "eval_counts"}) {
    EXPECT_TRUE(f.contains(dropped)) << dropped;
    EXPECT_FALSE(c.contains(dropped)) << dropped;
  }
  ExpectJsonError(server->Call("GET", query + "&columns=all"), 400, "invalid_parameter");
}

// A browser on the same host offers "gzip, deflate, br": it gets the body uncompressed (see
// http/gzip.h; remote clients get gzip, never brotli, unit-tested there).
TEST(DashboardRoutes, LoopbackBrowsersGetUncompressedBodies) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  auto client = server->Client();
  httplib::Headers headers = server->AuthHeaders();
  headers.emplace("Accept-Encoding", "gzip, deflate, br, zstd");
  client->set_decompress(false);
  auto res = client->Get("/api/series", headers);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(json::parse(res->body)["series"], json::array());
}

TEST(DashboardRoutes, BadParametersGetJsonErrors) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  ExpectJsonError(server->Call("GET", "/api/stats/pchart?provider=a"), 400, "invalid_parameter");
  ExpectJsonError(server->Call("GET", "/api/stats/pchart?provider=a&model=b&subgroup=1"), 400,
                  "invalid_parameter");
  ExpectJsonError(server->Call("GET", "/api/stats/pchart?provider=a&model=b&hours=x"), 400,
                  "invalid_parameter");
  ExpectJsonError(server->Call("GET", "/api/export/samples?since=yesterday"), 400,
                  "invalid_parameter");
  ExpectJsonError(server->Call("GET", "/api/export/samples?limit=0"), 400, "invalid_parameter");
  ExpectJsonError(server->Call("GET", "/api/export/samples", "", Auth::kNone), 401, "unauthorized");
  ExpectJsonError(server->Call("GET", "/api/stats/pchart", "", Auth::kWrongKey), 401,
                  "unauthorized");
}

}  // namespace

// Every reply, the page and the API alike, tells the browser to run only the dashboard's own
// scripts, never to frame it, and to send no referrer.
TEST(DashboardRoutes, RepliesCarryTheBrowserSecurityHeaders) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  for (const Reply& r :
       {server->Call("GET", "/", "", Auth::kNone), server->Call("GET", "/api/series"),
        server->Call("GET", "/api/violations/999999")}) {
    const std::string csp = r.Header("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(r.Header("X-Frame-Options"), "DENY");
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  }
}

// A series' SLO through `llmscope serve` over real sockets: bad bodies get a 400 naming the
// field and store nothing; a stored SLO gives GET /api/stats/spc its capability (Cp/Cpk without
// usl/lsl in the query, which still win when given) and /metrics its llmscope_capability; DELETE
// takes it away.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "support/server_process.h"

namespace {

using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;

constexpr const char* kSlo = "/api/series/ollama/llama3/e2e_ms/slo";
constexpr const char* kSpc = "/api/stats/spc?provider=ollama&model=llama3";

json Parse(const Reply& r) {
  return json::parse(r.body, nullptr, false);
}

void IngestBaseline(const ServerProcess& s) {
  json batch = json::array();
  for (int i = 0; i < 100; ++i) {
    batch.push_back(json{{"provider", "ollama"},
                         {"model", "llama3"},
                         {"latency_ms", 2000.0 * std::exp(0.05 * std::sin(i))}});
  }
  const Reply r = s.Call("POST", "/api/stats", json{{"samples", batch}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
}

void ExpectBadBody(const ServerProcess& s, const std::string& body, const std::string& code,
                   const std::string& field) {
  const Reply r = s.Call("PUT", kSlo, body);
  EXPECT_EQ(r.status, 400) << body << ": " << r.body;
  const json e = Parse(r)["error"];
  EXPECT_EQ(e["code"], code) << r.body;
  EXPECT_NE(e["message"].get<std::string>().find(field), std::string::npos) << r.body;
}

TEST(SeriesSloTest, AStoredSloGivesCapabilityInTheChartAndMetrics) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  IngestBaseline(*server);
  EXPECT_TRUE(Parse(server->Call("GET", kSpc))["capability"].is_null());
  EXPECT_EQ(server->Call("GET", kSlo).status, 404);

  ExpectBadBody(*server, R"({"usl": "fast"})", "invalid_field", "usl");
  ExpectBadBody(*server, R"({"usl": 3000, "lsl": -1})", "invalid_field", "lsl");
  ExpectBadBody(*server, R"({"usl": 1000, "lsl": 2000})", "invalid_field", "lsl");
  ExpectBadBody(*server, R"({"usl": 3000, "p99": 1})", "unknown_field", "p99");
  ExpectBadBody(*server, R"({})", "missing_field", "usl");
  ExpectBadBody(*server, "[1]", "invalid_json", "body");
  EXPECT_EQ(server->Call("GET", kSlo).status, 404) << "nothing was stored";
  EXPECT_EQ(server->Call("PUT", kSlo, R"({"usl": 3000})", llmscope::testing::Auth::kNone).status,
            401);

  const Reply put = server->Call("PUT", kSlo, R"({"usl": 3000, "lsl": null})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Parse(put)["usl"], 3000);
  EXPECT_TRUE(Parse(put)["lsl"].is_null());
  EXPECT_EQ(Parse(put)["version"], 1);
  EXPECT_EQ(Parse(server->Call("GET", kSlo))["usl"], 3000);

  const json capability = Parse(server->Call("GET", kSpc))["capability"];
  ASSERT_TRUE(capability.is_object()) << capability;
  EXPECT_EQ(capability["spec_source"], "slo");
  EXPECT_EQ(capability["usl"], 3000);
  const double cpk = capability["cpk"].get<double>();
  EXPECT_GT(cpk, 1) << "3000 ms is far above a 2000 ms process";
  EXPECT_TRUE(capability["cp"].is_null()) << "Cp needs both limits";

  // The query's limits win over the stored SLO.
  const json queried =
      Parse(server->Call("GET", std::string(kSpc) + "&usl=2100"))["capability"];
  EXPECT_EQ(queried["spec_source"], "query");
  EXPECT_LT(queried["cpk"].get<double>(), cpk);

  // A tighter SLO lowers Cpk, in the chart and in /metrics.
  ASSERT_EQ(server->Call("PUT", kSlo, R"({"usl": 2500, "lsl": 1500})").status, 200);
  const json tighter = Parse(server->Call("GET", kSpc))["capability"];
  EXPECT_LT(tighter["cpk"].get<double>(), cpk);
  EXPECT_TRUE(tighter["cp"].is_number());
  const std::string metrics = server->Call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("llmscope_capability{provider=\"ollama\",model=\"llama3\""),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("index=\"cpk\"}"), std::string::npos);
  EXPECT_NE(metrics.find("index=\"cp\"}"), std::string::npos);

  EXPECT_EQ(server->Call("DELETE", kSlo).status, 204);
  EXPECT_EQ(server->Call("DELETE", kSlo).status, 404);
  EXPECT_TRUE(Parse(server->Call("GET", kSpc))["capability"].is_null());
  EXPECT_EQ(server->Call("GET", "/metrics").body.find("llmscope_capability{"), std::string::npos);
}

}  // namespace

// A series' SLO through `llmscope serve` over real sockets: bad bodies get a 400 naming the
// field and store nothing; a stored SLO gives GET /api/stats/spc its capability (Cp/Cpk without
// usl/lsl in the query, which still win when given) and /metrics its llmscope_capability; DELETE
// takes it away.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/series_route_checks.h"
#include "support/server_process.h"

namespace {

using llmscope::testing::ExpectBadPut;
using llmscope::testing::IngestSteadyLatencies;
using llmscope::testing::ParseBody;
using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;

constexpr const char* kSlo = "/api/series/ollama/llama3/e2e_ms/slo";
constexpr const char* kSpc = "/api/stats/spc?provider=ollama&model=llama3";

TEST(SeriesSloTest, AStoredSloGivesCapabilityInTheChartAndMetrics) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  IngestSteadyLatencies(*server, 0, 100);
  EXPECT_TRUE(ParseBody(server->Call("GET", kSpc))["capability"].is_null());
  EXPECT_EQ(server->Call("GET", kSlo).status, 404);

  ExpectBadPut(*server, kSlo, R"({"usl": "fast"})", "invalid_field", "usl");
  ExpectBadPut(*server, kSlo, R"({"usl": 3000, "lsl": -1})", "invalid_field", "lsl");
  ExpectBadPut(*server, kSlo, R"({"usl": 1000, "lsl": 2000})", "invalid_field", "lsl");
  ExpectBadPut(*server, kSlo, R"({"usl": 3000, "p99": 1})", "unknown_field", "p99");
  ExpectBadPut(*server, kSlo, R"({})", "missing_field", "usl");
  ExpectBadPut(*server, kSlo, "[1]", "invalid_json", "body");
  EXPECT_EQ(server->Call("GET", kSlo).status, 404) << "nothing was stored";
  EXPECT_EQ(server->Call("PUT", kSlo, R"({"usl": 3000})", llmscope::testing::Auth::kNone).status,
            401);

  const Reply put = server->Call("PUT", kSlo, R"({"usl": 3000, "lsl": null})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(ParseBody(put)["usl"], 3000);
  EXPECT_TRUE(ParseBody(put)["lsl"].is_null());
  EXPECT_EQ(ParseBody(put)["version"], 1);
  EXPECT_EQ(ParseBody(server->Call("GET", kSlo))["usl"], 3000);

  const json capability = ParseBody(server->Call("GET", kSpc))["capability"];
  ASSERT_TRUE(capability.is_object()) << capability;
  EXPECT_EQ(capability["spec_source"], "slo");
  EXPECT_EQ(capability["usl"], 3000);
  const double cpk = capability["cpk"].get<double>();
  EXPECT_GT(cpk, 1) << "3000 ms is far above a 2000 ms process";
  EXPECT_TRUE(capability["cp"].is_null()) << "Cp needs both limits";

  // The query's limits win over the stored SLO.
  const json queried =
      ParseBody(server->Call("GET", std::string(kSpc) + "&usl=2100"))["capability"];
  EXPECT_EQ(queried["spec_source"], "query");
  EXPECT_LT(queried["cpk"].get<double>(), cpk);

  // A tighter SLO lowers Cpk, in the chart and in /metrics.
  ASSERT_EQ(server->Call("PUT", kSlo, R"({"usl": 2500, "lsl": 1500})").status, 200);
  const json tighter = ParseBody(server->Call("GET", kSpc))["capability"];
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
  EXPECT_TRUE(ParseBody(server->Call("GET", kSpc))["capability"].is_null());
  EXPECT_EQ(server->Call("GET", "/metrics").body.find("llmscope_capability{"), std::string::npos);
}

// A provider holding '/' is addressed as %2F, as the dashboard sends it (encodeURIComponent).
TEST(SeriesSloTest, AProviderHoldingASlashIsAddressedEncoded) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  IngestSteadyLatencies(*server, 0, 100, "azure/eu");
  const Reply put =
      server->Call("PUT", "/api/series/azure%2Feu/llama3/e2e_ms/slo", R"({"usl": 3000})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(ParseBody(server->Call("GET", "/api/series/azure%2Feu/llama3/e2e_ms/slo"))["usl"],
            3000);
  const json spc = ParseBody(
      server->Call("GET", "/api/stats/spc?provider=azure%2Feu&model=llama3&metric=e2e_ms"));
  EXPECT_FALSE(spc["capability"].is_null()) << spc.dump().substr(0, 300);
  EXPECT_EQ(server->Call("GET", "/api/series/azure/eu/llama3/e2e_ms/slo").status, 404)
      << "unencoded, the provider is 'azure' and the model 'eu/llama3'";
}

}  // namespace

// A series' overrides through `llmscope serve` over real sockets (docs/design.md "Per-series
// overrides"): bad bodies get a 400 naming the field and store nothing; rules apply at once; a
// baseline size that alters the limits is refused with 409 confirm_new_stage until confirmed,
// then starts a stage of that size, which a restart keeps; each change is in the audit list.
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

constexpr const char* kSettings = "/api/series/ollama/llama3/e2e_ms/settings";

json Audit(const ServerProcess& s) {
  return ParseBody(s.Call("GET", "/api/settings/audit?kind=series_override"))["changes"];
}

TEST(SeriesSettingsTest, OverridesApplyAndAskBeforeANewStage) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  IngestSteadyLatencies(*server, 0, 120);

  json got = ParseBody(server->Call("GET", kSettings));
  EXPECT_EQ(got["effective"]["baseline"], 100) << got;
  EXPECT_EQ(got["source"]["baseline"], "config");
  EXPECT_EQ(got["effective"]["rules"], "R1,R2,R3,R4,R5,R6,R7,R8");
  EXPECT_TRUE(got["override"].is_null());
  EXPECT_EQ(got["stage"]["number"], 0);

  ExpectBadPut(*server, kSettings, R"({"baseline": 10})", "invalid_field", "baseline");
  ExpectBadPut(*server, kSettings, R"({"transform": "sqrt"})", "invalid_field", "transform");
  ExpectBadPut(*server, kSettings, R"({"rules": "R1,R42"})", "invalid_field", "rules");
  ExpectBadPut(*server, kSettings, R"({"false_alerts_per_30d": -1})", "invalid_field",
               "false_alerts_per_30d");
  ExpectBadPut(*server, kSettings, R"({"rules": "R1", "colour": "red"})", "unknown_field",
               "colour");
  EXPECT_EQ(
      server->Call("PUT", "/api/series/ollama/llama3/error/settings", R"({"baseline": 50})").status,
      400);
  EXPECT_EQ(
      server->Call("PUT", kSettings, R"({"rules": "R1"})", llmscope::testing::Auth::kNone).status,
      401);
  EXPECT_TRUE(Audit(*server).empty()) << "nothing was stored";

  // Rules and budget: applied at once, no new stage.
  Reply put = server->Call("PUT", kSettings, R"({"rules": "R1,R2", "false_alerts_per_30d": 0.5})");
  ASSERT_EQ(put.status, 200) << put.body;
  got = ParseBody(put);
  EXPECT_EQ(got["source"]["rules"], "override");
  EXPECT_EQ(got["effective"]["rules"], "R1,R2");
  EXPECT_EQ(got["effective"]["false_alerts_per_30d"], 0.5);
  EXPECT_EQ(got["version"], 1);
  EXPECT_EQ(got["stage"]["number"], 0);
  EXPECT_FALSE(got.contains("new_stage"));

  // A baseline size alters the limits: asked first, nothing saved.
  Reply ask = server->Call("PUT", kSettings, R"({"rules": "R1,R2", "baseline": 40})");
  ASSERT_EQ(ask.status, 409) << ask.body;
  EXPECT_EQ(ParseBody(ask)["error"]["code"], "confirm_new_stage");
  EXPECT_EQ(ParseBody(ask)["changes"]["baseline"], (json{{"from", 100}, {"to", 40}}));
  EXPECT_EQ(ParseBody(server->Call("GET", kSettings))["effective"]["baseline"], 100);
  // A confirmation is "true" or "false": anything else is refused, not taken as "false".
  Reply typo = server->Call("PUT", std::string(kSettings) + "?new_stage=yes",
                            R"({"rules": "R1,R2", "baseline": 40})");
  ASSERT_EQ(typo.status, 400) << typo.body;
  EXPECT_EQ(ParseBody(typo)["error"]["message"], "new_stage: unknown 'yes' (true, false)");
  // Made against an old version: refused.
  EXPECT_EQ(server
                ->Call("PUT", std::string(kSettings) + "?new_stage=true",
                       R"({"baseline": 40, "version": 7})")
                .status,
            409);

  put = server->Call("PUT", std::string(kSettings) + "?new_stage=true",
                     R"({"rules": "R1,R2", "baseline": 40, "version": 1})");
  ASSERT_EQ(put.status, 200) << put.body;
  got = ParseBody(put);
  EXPECT_EQ(got["version"], 2);
  EXPECT_EQ(got["new_stage"]["number"], 1);
  EXPECT_EQ(got["new_stage"]["baseline_size"], 40);
  EXPECT_TRUE(got["stage"]["learning"]);
  EXPECT_EQ(got["stage"]["baseline"], 40);
  IngestSteadyLatencies(*server, 120, 45);
  got = ParseBody(server->Call("GET", kSettings));
  EXPECT_EQ(got["stage"]["number"], 1);
  EXPECT_FALSE(got["stage"]["learning"]);

  const json audit = Audit(*server);
  ASSERT_EQ(audit.size(), 2u) << audit;
  EXPECT_EQ(audit[0]["action"], "update");
  EXPECT_EQ(audit[1]["action"], "create");
  EXPECT_EQ(audit[0]["actor"], "api-key");
  EXPECT_NE(audit[0]["item_id"].get<std::string>().find("e2e_ms"), std::string::npos);

  // A restart keeps the stage of 40 and the override.
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  got = ParseBody(server->Call("GET", kSettings));
  EXPECT_EQ(got["stage"]["number"], 1);
  EXPECT_EQ(got["stage"]["baseline"], 40);
  EXPECT_EQ(got["source"]["baseline"], "override");

  // Back to the file's B = 100: asked too.
  EXPECT_EQ(server->Call("DELETE", kSettings).status, 409);
  EXPECT_EQ(server->Call("DELETE", std::string(kSettings) + "?new_stage=true").status, 204);
  EXPECT_EQ(server->Call("DELETE", std::string(kSettings) + "?new_stage=true").status, 404);
  got = ParseBody(server->Call("GET", kSettings));
  EXPECT_EQ(got["source"]["baseline"], "config");
  EXPECT_EQ(got["stage"]["baseline"], 100);
  EXPECT_TRUE(got["stage"]["learning"]);
  EXPECT_EQ(Audit(*server)[0]["action"], "delete");
}

}  // namespace

// Alerting settings through the API (docs/design.md "Settings"), against the real `llmscope
// serve` (child process, real SQLite) and a local HTTP receiver (tests/fakes/alert_receiver):
// bad fields get a 400 naming them and nothing is stored; secrets are never shown, logged or kept
// in clear; the file's sinks are read-only; and a webhook sink added through the API delivers a
// test alert and, once a route sends to it, a violation's alert, without a restart.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fakes/alert_receiver.h"
#include "integration/alert_support.h"
#include "support/free_port.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

const char* kHookSecret = "hook-secret-settings-93c1";
const char* kSlackUrlSecret = "https://hooks.slack.example/services/T000/B000/sekret77";
const char* kPagerKey = "pd-key-settings-4b7d";

const char* kConfig = R"([spc]
baseline = 20

[alerts]
severity = { R1 = "critical" }
backoff_base_s = 0.2
backoff_cap_s = 1

[[alerts.sinks]]
name = "file-hook"
type = "webhook"
url = "http://127.0.0.1:9/never"
)";

ServerOptions WithConfig(const TempDir& dir) {
  ServerOptions o;
  o.extra_args = {"--config", dir.Write("llmscope.toml", kConfig)};
  return o;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The error message of a 400 reply; fails the test on another status.
std::string BadRequest(const ServerProcess& s, const std::string& method, const std::string& path,
                       const json& body) {
  const Reply r = s.Call(method, path, body.dump());
  EXPECT_EQ(r.status, 400) << method << " " << path << " " << body.dump() << ": " << r.body;
  return json::parse(r.body, nullptr, false)["error"].value("message", "");
}

TEST(AlertSettingsTest, BadFieldsGetA400NamingThemAndNothingIsStored) {
  TempDir dir("llmscope-alert-settings");
  auto server = StartServer(LLMSCOPE_BINARY, WithConfig(dir));
  ASSERT_TRUE(server);
  const ServerProcess& s = *server;
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/sinks",
                       {{"name", "h"}, {"type", "webhook"}, {"url", "ftp://x"}})
                .rfind("url:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/sinks", {{"name", "h"}, {"url", "http://x"}})
                .rfind("type:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/sinks",
                       {{"name", "h"}, {"type", "webhook"}, {"url", "http://x"}, {"bogus", 1}})
                .rfind("bogus:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/sinks", {{"name", "pd"}, {"type", "pagerduty"}})
                .rfind("routing_key_env:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/sinks",
                       {{"name", "m"},
                        {"type", "email"},
                        {"url", "smtp://h:25"},
                        {"from", "a@b"},
                        {"to", json::array({"not-an-address"})}})
                .rfind("to:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/sinks",
                       {{"name", "bad name!"}, {"type", "webhook"}, {"url", "http://x"}})
                .rfind("name:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/routes", {{"name", "r"}, {"sinks", {"nope"}}})
                .rfind("sinks:", 0),
            0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/routes",
                       {{"name", "r"}, {"sinks", {"file-hook"}}, {"match", {{"rule", {"R9"}}}}})
                .rfind("match.rule:", 0),
            0u);
  EXPECT_EQ(
      BadRequest(s, "POST", "/api/alerts/mutes", {{"name", "m"}, {"start", "2026-05-01T22:00:00Z"}})
          .rfind("end:", 0),
      0u);
  EXPECT_EQ(BadRequest(s, "POST", "/api/alerts/mutes",
                       {{"name", "m"}, {"days", {"someday"}}, {"from", "22:00"}, {"to", "06:00"}})
                .rfind("days:", 0),
            0u);
  // Nothing was stored: only the file's sink is listed.
  const json sinks = GetJson(s, "/api/alerts/sinks")["sinks"];
  ASSERT_EQ(sinks.size(), 1u) << sinks.dump();
  EXPECT_EQ(sinks[0]["source"], "file");
  EXPECT_TRUE(GetJson(s, "/api/alerts/routes")["routes"].empty());
  EXPECT_TRUE(GetJson(s, "/api/alerts/mutes")["mutes"].empty());
  // The file's sink cannot be changed or deleted here; its name cannot be taken.
  const json file_hook = {{"type", "webhook"}, {"url", "http://127.0.0.1:1/x"}};
  EXPECT_EQ(s.Call("PUT", "/api/alerts/sinks/file-hook", file_hook.dump()).status, 409);
  EXPECT_EQ(s.Call("DELETE", "/api/alerts/sinks/file-hook").status, 409);
  // Settings routes need the key even for reading.
  EXPECT_EQ(s.Call("GET", "/api/alerts/sinks", "", Auth::kNone).status, 401);
}

TEST(AlertSettingsTest, SecretsAreWriteOnlyNeverShownLoggedOrStoredInClear) {
  TempDir dir("llmscope-alert-settings");
  auto server = StartServer(LLMSCOPE_BINARY, WithConfig(dir));
  ASSERT_TRUE(server);
  const ServerProcess& s = *server;
  Reply r = s.Call("POST", "/api/alerts/sinks",
                   json{{"name", "hook"},
                        {"type", "webhook"},
                        {"url", "http://127.0.0.1:9/h"},
                        {"secret", kHookSecret}}
                       .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  r = s.Call("POST", "/api/alerts/sinks",
             json{{"name", "team"}, {"type", "slack"}, {"url", kSlackUrlSecret}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  r = s.Call("POST", "/api/alerts/sinks",
             json{{"name", "pager"}, {"type", "pagerduty"}, {"routing_key", kPagerKey}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;

  const json hook = GetJson(s, "/api/alerts/sinks/hook");
  EXPECT_EQ(hook["secret_set"], true) << hook.dump();
  EXPECT_EQ(hook["source"], "store");
  EXPECT_EQ(hook["version"], 1);
  EXPECT_EQ(GetJson(s, "/api/alerts/sinks/team")["url_set"], true);
  EXPECT_EQ(GetJson(s, "/api/alerts/sinks/pager")["routing_key_set"], true);
  // A PUT that leaves the secret out keeps it; null clears it.
  r = s.Call("PUT", "/api/alerts/sinks/hook",
             json{{"type", "webhook"}, {"url", "http://127.0.0.1:9/h2"}, {"version", 1}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(GetJson(s, "/api/alerts/sinks/hook")["secret_set"], true);
  // A stale version is refused.
  r = s.Call("PUT", "/api/alerts/sinks/hook",
             json{{"type", "webhook"}, {"url", "http://127.0.0.1:9/h3"}, {"version", 1}}.dump());
  EXPECT_EQ(r.status, 409) << r.body;

  const std::string everything = GetJson(s, "/api/alerts/sinks").dump() + ReadAll(s.db_path()) +
                                 ReadAll(s.db_path() + "-wal") + s.Stderr() + s.Stdout();
  for (const char* secret : {kHookSecret, kSlackUrlSecret, kPagerKey}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret;
  }
  // Survives a restart (sealed under the key file beside the data).
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  EXPECT_EQ(GetJson(s, "/api/alerts/sinks/team")["url_set"], true);
  EXPECT_EQ(s.Stderr().find("left out"), std::string::npos) << s.Stderr();
}

TEST(AlertSettingsTest, AWebhookSinkAddedThroughTheApiDeliversWithoutARestart) {
  AlertReceiver receiver(0);
  ASSERT_TRUE(receiver.Start());
  TempDir dir("llmscope-alert-settings");
  auto server = StartServer(LLMSCOPE_BINARY, WithConfig(dir));
  ASSERT_TRUE(server);
  const ServerProcess& s = *server;

  Reply r = s.Call("POST", "/api/alerts/sinks",
                   json{{"name", "ui-hook"},
                        {"type", "webhook"},
                        {"url", receiver.Url("/ui-hook")},
                        {"secret", kHookSecret}}
                       .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  // "Send test": delivered, and the outbox says so.
  r = s.Call("POST", "/api/alerts/sinks/ui-hook/test");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string key = json::parse(r.body)["key"];
  json test;
  ASSERT_TRUE(WaitUntil([&] {
    test = GetJson(s, "/api/alerts/test?key=" + key);
    return test["state"] == "delivered";
  })) << test.dump();
  ASSERT_EQ(receiver.Requests().size(), 1u);
  EXPECT_FALSE(receiver.Requests()[0].Header("X-LLMscope-Signature").empty());
  EXPECT_EQ(s.Call("GET", "/api/alerts/test?key=" + key + "0").status, 404) << "no such test";
  EXPECT_EQ(s.Call("GET", "/api/alerts/test?key=v1/ui-hook/open").status, 400) << "not a test's";

  // A route to it: a violation's alert arrives there, without a restart.
  r = s.Call("POST", "/api/alerts/routes",
             json{{"name", "all"}, {"match", json::object()}, {"sinks", {"ui-hook"}}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t id = OpenR1Violation(s, "settings-m1");
  ASSERT_GT(id, 0);
  ASSERT_TRUE(WaitUntil([&] { return AllInState(s, id, 1, "delivered"); }))
      << Deliveries(s, id).dump();
  EXPECT_EQ(Deliveries(s, id)[0]["sink"], "ui-hook");

  // A sink that a route sends to is not deleted; after the route goes, it is.
  EXPECT_EQ(s.Call("DELETE", "/api/alerts/sinks/ui-hook").status, 409);
  EXPECT_EQ(s.Call("DELETE", "/api/alerts/routes/all").status, 200);
  EXPECT_EQ(s.Call("DELETE", "/api/alerts/sinks/ui-hook").status, 200);
  EXPECT_EQ(s.Call("POST", "/api/alerts/sinks/ui-hook/test").status, 404);

  // A sink whose receiver is down: the test's outcome says why in words.
  r = s.Call("PUT", "/api/alerts/sinks/down",
             json{{"type", "webhook"},
                  {"url", "http://127.0.0.1:" + std::to_string(PickFreePort()) + "/x"}}
                 .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  r = s.Call("POST", "/api/alerts/sinks/down/test");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string down_key = json::parse(r.body)["key"];
  ASSERT_TRUE(WaitUntil([&] {
    test = GetJson(s, "/api/alerts/test?key=" + down_key);
    return test["attempts"].get<int>() >= 1;
  })) << test.dump();
  EXPECT_NE(test["last_error"].get<std::string>().find("refused"), std::string::npos)
      << test.dump();
}

}  // namespace
}  // namespace llmscope::testing

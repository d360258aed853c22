// Alert delivery end to end: the real `llmscope serve` (child process, real SQLite) sends to a
// local HTTP receiver (tests/fakes/alert_receiver) in the Slack, webhook and PagerDuty formats.
// The receiver is down, then answers 429 with Retry-After, 500 and too slowly, then accepts; the
// server is SIGKILLed in between. Every alert arrives, exactly once after dedupe by
// Idempotency-Key, the webhook signature verifies, and no secret reaches a log.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <set>

#include "fakes/alert_receiver.h"
#include "integration/alert_support.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

const char* kHookSecret = "hook-secret-5f2a9c";
const char* kPagerKey = "pd-routing-key-77e1";

std::string Hmac(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &n);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    static const char* d = "0123456789abcdef";
    hex += d[digest[i] >> 4];
    hex += d[digest[i] & 15];
  }
  return hex;
}

std::string HttpSinksConfig(const AlertReceiver& r) {
  return R"([spc]
baseline = 20

[alerts]
# These tests drive delivery with single R1 spikes: R1 is made an alert (it is info by default).
severity = { R1 = "critical" }
public_url = "http://dash.example:8080"
backoff_base_s = 0.2
backoff_cap_s = 1
max_attempts = 1000

[[alerts.sinks]]
name = "team-slack"
type = "slack"
url = ")" +
         r.Url("/slack") + R"("
timeout_s = 1.5

[[alerts.sinks]]
name = "ops-hook"
type = "webhook"
url_env = "TEST_HOOK_URL"
secret_env = "TEST_HOOK_SECRET"
timeout_s = 1.5

[[alerts.sinks]]
name = "pager"
type = "pagerduty"
url = ")" +
         r.Url("/pagerduty") + R"("
routing_key_env = "TEST_PD_KEY"
timeout_s = 1.5

[[alerts.routes]]
match = {}
sinks = ["team-slack", "ops-hook"]

[[alerts.routes]]
match = { rule = ["R1"], severity = "critical" }
sinks = ["pager"]
)";
}

ServerOptions WithConfig(const TempDir& dir, const std::string& toml, const AlertReceiver& r) {
  ServerOptions o;
  o.extra_args = {"--config", dir.Write("llmscope.toml", toml)};
  o.env = {{"TEST_HOOK_URL", r.Url("/hook/with-secret-path")},
           {"TEST_HOOK_SECRET", kHookSecret},
           {"TEST_PD_KEY", kPagerKey}};
  return o;
}

TEST(AlertDeliveryTest, ReceiverDownThenFlakyWithAKilledServerEveryAlertArrivesOnce) {
  AlertReceiver receiver(PickFreePort());  // down: nothing listens yet
  TempDir dir("llmscope-alert");
  auto server = StartServer(LLMSCOPE_BINARY, WithConfig(dir, HttpSinksConfig(receiver), receiver));
  ASSERT_TRUE(server);

  const std::vector<std::string> models = {"m1", "m2", "m3"};
  std::map<int64_t, std::string> violations;
  for (const std::string& m : models) {
    const int64_t id = OpenR1Violation(*server, m);
    ASSERT_GT(id, 0);
    violations[id] = m;
  }
  // Each R1 (critical) event: Slack and the webhook by the first route, PagerDuty by the second.
  std::set<std::string> expected;
  for (const auto& [id, m] : violations) {
    for (const char* sink : {"team-slack", "ops-hook", "pager"}) {
      expected.insert("v" + std::to_string(id) + "/" + sink + "/open");
    }
  }
  // While the receiver is down every delivery is tried, refused, and stays pending.
  for (const auto& [id, m] : violations) {
    ASSERT_TRUE(WaitUntil([&] {
      const json d = Deliveries(*server, id);
      if (!d.is_array() || d.size() != 3) return false;
      for (const json& x : d) {
        if (x["state"] != "pending" || x["attempts"].get<int>() < 1) return false;
      }
      return true;
    })) << Deliveries(*server, id).dump();
    for (const json& x : Deliveries(*server, id)) {
      EXPECT_EQ(x["kind"], "open");
      EXPECT_NE(x["last_error"].get<std::string>().find("refused"), std::string::npos) << x.dump();
      EXPECT_TRUE(x["next_attempt"].is_string());
      EXPECT_TRUE(x["delivered"].is_null());
    }
  }

  // A crash, a restart; then the receiver comes up flaky before it accepts.
  server->Kill();
  receiver.PushReply({429, 1, std::chrono::milliseconds(0)});
  receiver.PushReply({500, -1, std::chrono::milliseconds(0)});
  receiver.PushReply({503, 1, std::chrono::milliseconds(0)});
  receiver.PushReply({200, -1, std::chrono::milliseconds(2500)});  // beyond the 1.5 s timeout
  ASSERT_TRUE(receiver.Start());
  std::string error;
  ASSERT_TRUE(server->Start(&error)) << error;

  for (const auto& [id, m] : violations) {
    ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, id, 3, "delivered"); }))
        << Deliveries(*server, id).dump();
    for (const json& x : Deliveries(*server, id)) {
      EXPECT_TRUE(x["delivered"].is_string());
      EXPECT_TRUE(x["last_error"].is_null());
      EXPECT_GE(x["attempts"].get<int>(), 2);
    }
  }

  const std::vector<ReceivedRequest> all = receiver.Requests();
  std::set<int> statuses;
  for (const ReceivedRequest& r : all) statuses.insert(r.answered);
  EXPECT_TRUE(statuses.count(429) && statuses.count(500) && statuses.count(503)) << all.size();
  // Exactly once after dedupe: one accepted request per expected key, and repeats of a key (a
  // slow reply that was in fact accepted) carry the same body.
  std::set<std::string> keys;
  std::map<std::string, std::string> body_of;
  for (const ReceivedRequest& r : all) {
    const std::string key = r.Header("Idempotency-Key");
    ASSERT_FALSE(key.empty()) << r.path;
    if (body_of.count(key)) {
      EXPECT_EQ(body_of[key], r.body) << key;
    }
    body_of[key] = r.body;
  }
  for (const ReceivedRequest& r : receiver.AcceptedUnique())
    keys.insert(r.Header("Idempotency-Key"));
  EXPECT_EQ(keys, expected);

  for (const ReceivedRequest& r : receiver.AcceptedUnique()) {
    const json body = json::parse(r.body);
    const std::string key = r.Header("Idempotency-Key");
    const int64_t id = std::stoll(key.substr(1, key.find('/') - 1));
    const std::string link = "http://dash.example:8080/#/violations/" + std::to_string(id);
    if (r.path == "/slack") {
      EXPECT_NE(body["text"].get<std::string>().find("R1 on acme/" + violations[id] + "/e2e_ms"),
                std::string::npos)
          << r.body;
      EXPECT_NE(r.body.find("<" + link + "|View violation"), std::string::npos) << r.body;
    } else if (r.path == "/hook/with-secret-path") {
      EXPECT_EQ(r.Header("X-LLMscope-Signature"), "sha256=" + Hmac(kHookSecret, r.body));
      EXPECT_EQ(body["event"], "violation.opened");
      EXPECT_EQ(body["violation"]["id"], id);
      EXPECT_EQ(body["violation"]["model"], violations[id]);
      EXPECT_EQ(body["url"], link);
    } else {
      EXPECT_EQ(r.path, "/pagerduty");
      EXPECT_EQ(body["routing_key"], kPagerKey);
      EXPECT_EQ(body["event_action"], "trigger");
      EXPECT_EQ(body["dedup_key"], "llmscope-violation-" + std::to_string(id));
      EXPECT_EQ(body["payload"]["severity"], "critical");
    }
  }
  // Every signature verifies, not only the accepted ones'.
  for (const ReceivedRequest& r : all) {
    if (r.path == "/hook/with-secret-path") {
      EXPECT_EQ(r.Header("X-LLMscope-Signature"), "sha256=" + Hmac(kHookSecret, r.body));
    }
  }

  // Resolving one violation resolves its PagerDuty incident and notifies the others.
  const int64_t resolved = violations.begin()->first;
  const Reply res = server->Call("POST", "/api/violations/" + std::to_string(resolved) + "/resolve",
                                 R"({"by": "alice"})");
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, resolved, 6, "delivered"); }))
      << Deliveries(*server, resolved).dump();
  int resolves = 0;
  for (const ReceivedRequest& r : receiver.AcceptedUnique()) {
    if (r.Header("Idempotency-Key").find("/resolve") == std::string::npos) continue;
    ++resolves;
    const json body = json::parse(r.body);
    if (r.path == "/pagerduty") {
      EXPECT_EQ(body, (json{{"routing_key", kPagerKey},
                            {"event_action", "resolve"},
                            {"dedup_key", "llmscope-violation-" + std::to_string(resolved)}}));
    } else if (r.path == "/slack") {
      EXPECT_EQ(body["text"].get<std::string>().rfind("RESOLVED", 0), 0u) << r.body;
    } else {
      EXPECT_EQ(body["event"], "violation.resolved");
      EXPECT_EQ(body["violation"]["resolved_by"], "alice");
    }
  }
  EXPECT_EQ(resolves, 3);

  // Secrets never reach a log.
  server->Stop();
  for (int run = 1; run <= server->runs(); ++run) {
    const std::string log = server->Stdout(run) + server->Stderr(run);
    EXPECT_EQ(log.find(kHookSecret), std::string::npos) << log;
    EXPECT_EQ(log.find(kPagerKey), std::string::npos) << log;
    EXPECT_EQ(log.find("with-secret-path"), std::string::npos) << log;
  }
}

TEST(AlertDeliveryTest, SilencesSuppressAndExpireRateLimitSuppressesBadInputIs400) {
  AlertReceiver receiver(PickFreePort());
  ASSERT_TRUE(receiver.Start());
  TempDir dir("llmscope-alert");
  const std::string toml = R"([spc]
baseline = 20

[alerts]
severity = { R1 = "critical" }
backoff_base_s = 0.2

[[alerts.sinks]]
name = "hook"
type = "webhook"
url = ")" + receiver.Url("/hook") +
                           R"("

[[alerts.sinks]]
name = "limited"
type = "webhook"
url = ")" + receiver.Url("/limited") +
                           R"("
rate_per_minute = 1
burst = 1

[[alerts.routes]]
match = { model = ["quiet", "loud"] }
sinks = ["hook"]

[[alerts.routes]]
match = { model = ["r1", "r2"] }
sinks = ["limited"]
)";
  auto server = StartServer(LLMSCOPE_BINARY, WithConfig(dir, toml, receiver));
  ASSERT_TRUE(server);

  // Bad input: 400 with the error shape, nothing stored.
  for (const std::string& bad :
       {std::string("{}"), std::string(R"({"model": "x", "duration": "2x"})"),
        std::string(R"({"rule": "R9", "duration": 60})"),
        std::string(R"({"metric": "speed", "duration": 60})"),
        std::string(R"({"color": "red", "duration": 60})"),
        std::string(R"({"ends_at": "2001-01-01T00:00:00Z"})"),
        std::string(R"({"duration": 60, "ends_at": "2999-01-01T00:00:00Z"})"),
        std::string(R"({"duration": "400d"})"), std::string("[1, 2"),
        std::string(R"({"comment": 5, "duration": 60})")}) {
    const Reply r = server->Call("POST", "/api/silences", bad);
    EXPECT_EQ(r.status, 400) << bad << " → " << r.body;
    const json e = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(e.contains("error") && e["error"].contains("code") &&
                e["error"].contains("message"))
        << r.body;
  }
  EXPECT_EQ(GetJson(*server, "/api/silences")["silences"].size(), 0u);
  EXPECT_EQ(server->Call("DELETE", "/api/silences/424242").status, 404);
  EXPECT_EQ(server->Call("POST", "/api/silences", R"({"duration": 60})", Auth::kNone).status, 401);

  const Reply made = server->Call(
      "POST", "/api/silences",
      R"({"model": "quiet", "duration": "2h", "comment": "deploy", "created_by": "bob"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const json silence = json::parse(made.body);
  EXPECT_EQ(silence["model"], "quiet");
  EXPECT_EQ(silence["active"], true);
  EXPECT_EQ(silence["ends_ms"].get<int64_t>() - silence["starts_ms"].get<int64_t>(), 7200000);
  const json listed = GetJson(*server, "/api/silences")["silences"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["id"], silence["id"]);

  const int64_t quiet = OpenR1Violation(*server, "quiet");
  const int64_t loud = OpenR1Violation(*server, "loud");
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, quiet, 1, "suppressed"); }))
      << Deliveries(*server, quiet).dump();
  EXPECT_EQ(Deliveries(*server, quiet)[0]["last_error"],
            "silenced by silence " + std::to_string(silence["id"].get<int64_t>()) + " (deploy)");
  EXPECT_EQ(Deliveries(*server, quiet)[0]["attempts"], 0);
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, loud, 1, "delivered"); }))
      << Deliveries(*server, loud).dump();

  const std::string del = "/api/silences/" + std::to_string(silence["id"].get<int64_t>());
  const Reply expired = server->Call("DELETE", del);
  EXPECT_EQ(expired.status, 200) << expired.body;
  EXPECT_EQ(GetJson(*server, "/api/silences")["silences"].size(), 0u);

  // The rate limit: a burst of one, one per minute; the second alert is suppressed.
  const int64_t first = OpenR1Violation(*server, "r1");
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, first, 1, "delivered"); }))
      << Deliveries(*server, first).dump();
  const int64_t second = OpenR1Violation(*server, "r2");
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, second, 1, "suppressed"); }))
      << Deliveries(*server, second).dump();
  EXPECT_NE(Deliveries(*server, second)[0]["last_error"].get<std::string>().find("rate limit"),
            std::string::npos);

  // Only the alerts that were not held back reached the receiver.
  std::set<std::string> keys;
  for (const ReceivedRequest& r : receiver.AcceptedUnique())
    keys.insert(r.Header("Idempotency-Key"));
  EXPECT_EQ(keys, (std::set<std::string>{"v" + std::to_string(loud) + "/hook/open",
                                         "v" + std::to_string(first) + "/limited/open"}));
}

}  // namespace
}  // namespace llmscope::testing

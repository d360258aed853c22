// Targets through the API, end to end (docs/design.md "Settings"): the real `llmscope serve` as a
// child process probing the fake provider server on 127.0.0.1. A target created through the API
// starts probing, a changed interval applies and a deleted target stops, without a restart, as
// the calls reaching the fake show; bad fields get a 400 naming them and nothing is saved; a
// stored key is used but never shown or logged; file targets are read-only; the test and
// model-list routes answer in words; each change is in the audit list; and two servers on one
// PostgreSQL database both probe a target added through either.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fakes/fake_provider_server.h"
#include "support/postgres_server.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

const ::testing::Environment* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment({{"fsync=off"}}));

bool WaitFor(const std::function<bool()>& done, milliseconds limit = milliseconds(15000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

json Body(const Reply& r) {
  return json::parse(r.body, nullptr, false);
}

// Calls the fake got on `path` so far.
size_t CallsTo(const FakeProviderServer& fake, const std::string& path) {
  size_t n = 0;
  for (const RecordedRequest& r : fake.requests()) n += r.path == path ? 1 : 0;
  return n;
}

class TargetsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fake_.Start());
    Script quick;
    quick.first_token_delay = milliseconds(1);
    quick.per_token_delay = milliseconds(0);
    quick.tokens = 3;
    fake_.SetScript(quick);
  }

  void StartServe(ServerOptions options = {}) {
    server_ = StartServer(LLMSCOPE_BINARY, std::move(options));
    ASSERT_NE(server_, nullptr);
  }

  json OllamaTarget(double interval_s) const {
    return json{{"provider", "ollama"},
                {"base_url", fake_.base_url()},
                {"model", "fake-llm"},
                {"interval_s", interval_s}};
  }

  FakeProviderServer fake_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(TargetsApiTest, ATargetStartsChangesAndStopsWithoutARestart) {
  StartServe();
  const Reply created = server_->Call("POST", "/api/targets", OllamaTarget(0.1).dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json target = Body(created);
  EXPECT_EQ(target["id"], "ollama-fake-llm");
  EXPECT_EQ(target["source"], "store");
  EXPECT_EQ(target["version"], 1);
  EXPECT_EQ(target["key_set"], false);
  // Probing at once: calls reach the fake, and their samples are charted.
  ASSERT_TRUE(WaitFor([&] { return CallsTo(fake_, "/api/generate") >= 5; }));
  ASSERT_TRUE(WaitFor([&] {
    const json series = Body(server_->Call("GET", "/api/series"));
    for (const json& s : series["series"]) {
      if (s["model"] == "fake-llm" && s["points"].get<int>() > 0) return true;
    }
    return false;
  }));
  const json listed = Body(server_->Call("GET", "/api/targets/ollama-fake-llm"));
  EXPECT_EQ(listed["state"]["probing"], true);

  // A second POST of the same target: 409, the first one is kept.
  EXPECT_EQ(server_->Call("POST", "/api/targets", OllamaTarget(0.1).dump()).status, 409);

  // Every 30 s instead: at most the first tick (within 3 s) and a call in flight come.
  json slower = OllamaTarget(30);
  slower["version"] = 1;
  const Reply changed = server_->Call("PUT", "/api/targets/ollama-fake-llm", slower.dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Body(changed)["version"], 2);
  EXPECT_EQ(Body(changed)["interval_s"], 30.0);
  std::this_thread::sleep_for(milliseconds(300));
  const size_t after_change = CallsTo(fake_, "/api/generate");
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_LE(CallsTo(fake_, "/api/generate"), after_change + 2);

  // A change made against version 1 again comes too late.
  const Reply stale = server_->Call("PUT", "/api/targets/ollama-fake-llm", slower.dump());
  EXPECT_EQ(stale.status, 409) << stale.body;
  // So does one without any version.
  EXPECT_EQ(server_->Call("PUT", "/api/targets/ollama-fake-llm", OllamaTarget(1).dump()).status,
            400);

  // Fast again, then deleted: the calls stop.
  json fast = OllamaTarget(0.1);
  fast["version"] = 2;
  ASSERT_EQ(server_->Call("PUT", "/api/targets/ollama-fake-llm", fast.dump()).status, 200);
  const size_t before_fast = CallsTo(fake_, "/api/generate");
  ASSERT_TRUE(WaitFor([&] { return CallsTo(fake_, "/api/generate") >= before_fast + 5; }));
  ASSERT_EQ(server_->Call("DELETE", "/api/targets/ollama-fake-llm").status, 204);
  std::this_thread::sleep_for(milliseconds(300));
  const size_t after_delete = CallsTo(fake_, "/api/generate");
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(CallsTo(fake_, "/api/generate"), after_delete);
  EXPECT_EQ(server_->Call("GET", "/api/targets/ollama-fake-llm").status, 404);
  EXPECT_EQ(Body(server_->Call("GET", "/api/targets"))["targets"].size(), 0u);

  // Each change is in the audit list, newest first, paged by `before`.
  const json audit = Body(server_->Call("GET", "/api/settings/audit?kind=target&limit=2"));
  ASSERT_EQ(audit["changes"].size(), 2u);
  EXPECT_EQ(audit["changes"][0]["action"], "delete");
  EXPECT_EQ(audit["changes"][1]["action"], "update");
  EXPECT_EQ(audit["changes"][1]["item_id"], "ollama-fake-llm");
  const std::string before = std::to_string(audit["next_before"].get<int64_t>());
  const json older = Body(server_->Call("GET", "/api/settings/audit?kind=target&before=" + before));
  ASSERT_EQ(older["changes"].size(), 2u);
  EXPECT_EQ(older["changes"][1]["action"], "create");
  EXPECT_TRUE(older["next_before"].is_null());
}

TEST_F(TargetsApiTest, OneModelAtTwoSitesIsTwoTargets) {
  StartServe();
  json here = OllamaTarget(60);
  json there = OllamaTarget(60);
  here["site"] = "eu-west";
  there["site"] = "us-east";
  const Reply a = server_->Call("POST", "/api/targets", here.dump());
  ASSERT_EQ(a.status, 201) << a.body;
  const Reply b = server_->Call("POST", "/api/targets", there.dump());
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(Body(a)["name"], "ollama/fake-llm@eu-west");
  EXPECT_EQ(Body(b)["name"], "ollama/fake-llm@us-east");
  EXPECT_NE(Body(a)["id"], Body(b)["id"]);
  EXPECT_EQ(Body(server_->Call("GET", "/api/targets"))["targets"].size(), 2u);
  // The same site again is the same target.
  EXPECT_EQ(server_->Call("POST", "/api/targets", here.dump()).status, 409);
}

TEST_F(TargetsApiTest, BadFieldsAreRefusedNamingTheFieldAndNothingIsSaved) {
  StartServe();
  const std::vector<std::pair<json, std::string>> bad = {
      {{{"provider", "ollama"}, {"base_url", "ftp://127.0.0.1:1"}, {"model", "m"}}, "base_url"},
      {{{"provider", "nope"}, {"model", "m"}}, "provider"},
      {{{"provider", "ollama"}, {"model", "m"}, {"interval_s", -1}}, "interval_s"},
      {{{"provider", "ollama"}, {"model", "m"}, {"interval_s", "often"}}, "interval_s"},
      {{{"provider", "ollama"}}, "model"},
      {{{"provider", "ollama"}, {"model", "m"}, {"colour", "red"}}, "colour"},
      {{{"provider", "ollama"}, {"model", "m"}, {"profiles", json::array({{{"name", ""}}})}},
       "profiles[0].name"},
  };
  for (const auto& [body, field] : bad) {
    const Reply r = server_->Call("POST", "/api/targets", body.dump());
    EXPECT_EQ(r.status, 400) << body.dump();
    EXPECT_EQ(Body(r)["error"]["message"].get<std::string>().rfind(field + ":", 0), 0u) << r.body;
  }
  EXPECT_EQ(server_->Call("POST", "/api/targets", "{not json").status, 400);
  EXPECT_EQ(Body(server_->Call("GET", "/api/targets"))["targets"].size(), 0u);
  EXPECT_EQ(Body(server_->Call("GET", "/api/settings/audit"))["changes"].size(), 0u);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_TRUE(fake_.requests().empty());
}

TEST_F(TargetsApiTest, AStoredKeyIsUsedButNeverShownOrLogged) {
  StartServe();
  const std::string secret = "sk-never-shown-4711";
  json body = {{"provider", "openai-compatible"}, {"base_url", fake_.base_url()},
               {"model", "fake-llm"},             {"interval_s", 0.2},
               {"key", secret}};
  const Reply created = server_->Call("POST", "/api/targets", body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Body(created)["key_set"], true);
  ASSERT_TRUE(WaitFor([&] { return CallsTo(fake_, "/v1/chat/completions") >= 1; }));
  EXPECT_EQ(fake_.last_request().Header("Authorization"), "Bearer " + secret);

  // A change without "key" keeps it.
  body.erase("key");
  body["version"] = 1;
  body["interval_s"] = 0.3;
  const Reply changed = server_->Call("PUT", "/api/targets/openai-compatible-fake-llm", body.dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Body(changed)["key_set"], true);
  const size_t before = fake_.requests().size();
  ASSERT_TRUE(WaitFor([&] { return fake_.requests().size() > before; }));
  EXPECT_EQ(fake_.last_request().Header("Authorization"), "Bearer " + secret);

  for (const char* path :
       {"/api/targets", "/api/targets/openai-compatible-fake-llm", "/api/settings/audit"}) {
    const Reply r = server_->Call("GET", path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find(secret), std::string::npos) << path;
    EXPECT_EQ(r.body.find("key_sealed"), std::string::npos) << path;
  }
  server_->Stop();
  EXPECT_EQ(server_->Stderr().find(secret), std::string::npos);
  EXPECT_EQ(server_->Stdout().find(secret), std::string::npos);
  struct stat key_file {};
  ASSERT_EQ(stat((server_->data_dir() + "/secret.key").c_str(), &key_file), 0);
  EXPECT_EQ(key_file.st_mode & 077, 0u);
}

TEST_F(TargetsApiTest, FileTargetsAreListedReadOnly) {
  TempDir dir("llmscope-targets");
  const std::string config = dir.Write(
      "llmscope.toml", "[[targets]]\nprovider = \"ollama\"\nbase_url = \"" + fake_.base_url() +
                           "\"\nmodel = \"fake-llm\"\ninterval_s = 60\n");
  ServerOptions options;
  options.extra_args = {"--config", config};
  StartServe(options);
  const json list = Body(server_->Call("GET", "/api/targets"));
  ASSERT_EQ(list["targets"].size(), 1u);
  EXPECT_EQ(list["targets"][0]["source"], "file");
  EXPECT_EQ(list["targets"][0]["id"], "ollama-fake-llm");
  EXPECT_EQ(list["demo_probing"], false);
  json change = OllamaTarget(1);
  change["version"] = 1;
  for (const Reply& r :
       {server_->Call("PUT", "/api/targets/ollama-fake-llm", change.dump()),
        server_->Call("DELETE", "/api/targets/ollama-fake-llm"),
        server_->Call("POST", "/api/targets", OllamaTarget(1).dump())}) {
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(r.body.find("llmscope.toml"), std::string::npos) << r.body;
  }
}

TEST_F(TargetsApiTest, TheDemoTargetGivesWayToTheFirstStoredTarget) {
  ServerOptions options;
  options.simulated_probe = true;
  options.extra_args = {"--demo=false"};  // the demo target alone, not its past day
  StartServe(options);
  EXPECT_EQ(Body(server_->Call("GET", "/api/targets"))["demo_probing"], true);
  ASSERT_EQ(server_->Call("POST", "/api/targets", OllamaTarget(5).dump()).status, 201);
  ASSERT_TRUE(WaitFor(
      [&] { return Body(server_->Call("GET", "/api/targets"))["demo_probing"] == false; }));
  ASSERT_EQ(server_->Call("DELETE", "/api/targets/ollama-fake-llm").status, 204);
  ASSERT_TRUE(WaitFor(
      [&] { return Body(server_->Call("GET", "/api/targets"))["demo_probing"] == true; }));
}

TEST_F(TargetsApiTest, TestAndModelRoutesAnswerInWords) {
  StartServe();
  const Reply ok = server_->Call("POST", "/api/targets/test", OllamaTarget(5).dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Body(ok)["ok"], true);
  EXPECT_EQ(Body(ok)["sample"]["model"], "fake-llm");
  json away = OllamaTarget(5);
  away["base_url"] = "http://127.0.0.1:1";
  const Reply failed = server_->Call("POST", "/api/targets/test", away.dump());
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(Body(failed)["ok"], false);
  EXPECT_FALSE(Body(failed)["error"].get<std::string>().empty());
  // Nothing was saved by a test.
  EXPECT_EQ(Body(server_->Call("GET", "/api/targets"))["targets"].size(), 0u);
  ASSERT_EQ(server_->Call("POST", "/api/targets", OllamaTarget(60).dump()).status, 201);
  EXPECT_EQ(Body(server_->Call("POST", "/api/targets/ollama-fake-llm/test"))["ok"], true);
  EXPECT_EQ(server_->Call("POST", "/api/targets/nothing-here/test").status, 404);

  for (const char* provider : {"ollama", "openai-compatible"}) {
    const Reply models = server_->Call(
        "GET", std::string("/api/providers/models?provider=") + provider + "&base_url=" + fake_.base_url());
    ASSERT_EQ(models.status, 200) << models.body;
    EXPECT_EQ(Body(models)["models"], json::array({"fake-llm", "fake-llm-large"}));
  }
  const Reply unreachable =
      server_->Call("GET", "/api/providers/models?provider=ollama&base_url=http://127.0.0.1:1");
  EXPECT_EQ(unreachable.status, 502) << unreachable.body;
  EXPECT_EQ(server_->Call("GET", "/api/providers/models?provider=nope").status, 400);
  // The server's own variables are never sent to a URL a client names.
  const Reply own = server_->Call("GET",
                                  "/api/providers/models?provider=openai-compatible&key_env="
                                  "LLMSCOPE_API_KEY&base_url=" +
                                      fake_.base_url());
  EXPECT_EQ(own.status, 400) << own.body;
  EXPECT_NE(own.body.find("key_env"), std::string::npos) << own.body;
}

TEST_F(TargetsApiTest, SettingsRoutesNeedTheKeyEvenWithPublicReads) {
  ServerOptions options;
  options.extra_args = {"--public-reads"};
  StartServe(options);
  EXPECT_EQ(server_->Call("GET", "/api/series", "", Auth::kNone).status, 200);
  for (const char* path :
       {"/api/targets", "/api/settings/audit", "/api/providers/models?provider=ollama"}) {
    EXPECT_EQ(server_->Call("GET", path, "", Auth::kNone).status, 401) << path;
  }
}

// Two servers on one PostgreSQL database: a target added through one is listed by the other and
// probed by both (each server probes every stored target); deleted through the other, both stop.
TEST_F(TargetsApiTest, TwoServersOnOnePostgresBothProbeAStoredTarget) {
  LLMSCOPE_REQUIRE_POSTGRES();
  std::string error;
  ASSERT_TRUE(PostgresEnvironment::server()->CreateDatabase("targets_two_servers", &error))
      << error;
  const std::string url = PostgresEnvironment::server()->Url("targets_two_servers");
  ServerOptions options;
  options.extra_args = {"--store", url};
  std::unique_ptr<ServerProcess> a = StartServer(LLMSCOPE_BINARY, options);
  std::unique_ptr<ServerProcess> b = StartServer(LLMSCOPE_BINARY, options);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->Call("POST", "/api/targets", OllamaTarget(0.2).dump()).status, 201);
  ASSERT_TRUE(WaitFor([&] {
    return Body(b->Call("GET", "/api/targets"))["targets"].size() == 1 &&
           Body(b->Call("GET", "/api/targets/ollama-fake-llm"))["state"]["probing"] == true;
  }));
  // Both probe: each server's own scheduler counts calls of it.
  for (ServerProcess* s : {a.get(), b.get()}) {
    EXPECT_TRUE(WaitFor([&] {
      const json t = Body(s->Call("GET", "/api/targets/ollama-fake-llm"));
      return t["state"].value("calls", 0) >= 2;
    })) << "server on port " << s->port();
  }
  ASSERT_EQ(b->Call("DELETE", "/api/targets/ollama-fake-llm").status, 204);
  EXPECT_TRUE(Body(a->Call("GET", "/api/targets"))["targets"].empty());
  // Both stop: server a within its poll interval (2 s), after which no call comes for 1 s.
  EXPECT_TRUE(WaitFor([&] {
    const size_t before = fake_.requests().size();
    std::this_thread::sleep_for(milliseconds(1000));
    return fake_.requests().size() == before;
  }));
}

}  // namespace
}  // namespace llmscope::testing

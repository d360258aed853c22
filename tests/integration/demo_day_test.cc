// The demo day (docs/design.md "Demo day"): `llmscope serve` with no target on an empty store
// fills the past 24 h with the simulated target's samples, stages and violations before it
// starts; --demo=false and a store that holds samples leave the past empty.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/server_process.h"

namespace llmscope::testing {
namespace {

using json = nlohmann::json;

constexpr int64_t kHourMs = 3600 * 1000;

// A config file in a temporary directory of its own.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    char tmpl[] = "/tmp/llmscope-demo-day-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/llmscope.toml";
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

ServerOptions SimulatedServer(std::vector<std::string> extra_args = {}) {
  ServerOptions options;
  options.binary = LLMSCOPE_BINARY;
  options.simulated_probe = true;
  options.extra_args = std::move(extra_args);
  options.start_timeout = std::chrono::milliseconds(90000);  // the day is stored before /health
  return options;
}

json GetJson(const ServerProcess& server, const std::string& path) {
  const Reply r = server.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-07T05:00:00Z" for a time in ms since the epoch.
std::string IsoUtc(int64_t ms) {
  const time_t seconds = ms / 1000;
  tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

TEST(DemoDay, AFreshStartShowsThePastDayWithViolationsAndSendsNoAlerts) {
  // A webhook sink: the backfilled violations must not reach it (nothing listens there).
  ConfigFile config(R"([[alerts.sinks]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:9/hook"
)");
  ServerProcess server(SimulatedServer({"--config", config.path()}));
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_NE(server.Stderr().find("demo day: "), std::string::npos) << server.Stderr();

  // About one sample per 2 s over the past day.
  const json stats = GetJson(server, "/api/stats");
  EXPECT_GE(stats["count"].get<int64_t>(), 43000);
  EXPECT_GT(stats["violations"].get<int64_t>(), 100);
  EXPECT_EQ(stats["open_violations"].get<int64_t>(), 0);  // acknowledged by the demo

  // The violation log holds the day's incidents, from its first hours to its last minutes,
  // acknowledged, and none has a delivery (the newest are those alerting would catch up).
  const std::string day_start = IsoUtc(NowMs() - 20 * kHourMs);
  const json early = GetJson(server, "/api/violations?limit=10&until=" + day_start);
  EXPECT_EQ(early["count"].get<int64_t>(), 10) << early.dump();
  const json newest = GetJson(server, "/api/violations?limit=10");
  EXPECT_EQ(newest["count"].get<int64_t>(), 10);
  for (const json* page : {&early, &newest}) {
    for (const json& listed : (*page)["violations"]) {
      EXPECT_EQ(listed["status"], "acknowledged");
      const json v =
          GetJson(server, "/api/violations/" + std::to_string(listed["id"].get<int64_t>()));
      EXPECT_TRUE(v["deliveries"].empty()) << v.dump();
    }
  }

  // The day's alerts (a slowdown and an outage): SHIFT and ERRORS, resolved on recovery, none sent.
  const json alerts = GetJson(server, "/api/violations?severity=critical,warning");
  bool shift = false, errors = false;
  for (const json& v : alerts["violations"]) {
    shift = shift || v["rule"] == "SHIFT";
    errors = errors || v["rule"] == "ERRORS";
    EXPECT_NE(v["status"], "open");
    const json full = GetJson(server, "/api/violations/" + std::to_string(v["id"].get<int64_t>()));
    EXPECT_TRUE(full["deliveries"].empty()) << full.dump();
  }
  EXPECT_TRUE(shift && errors) << alerts.dump();

  // The e2e series judges against a frozen stage at once: no learning after the day.
  bool judged = false;
  for (const json& s : stats["series"]) {
    if (s["id"] == "simulated/sim-llm/e2e_ms#short") judged = s["state"] != "learning";
  }
  EXPECT_TRUE(judged) << stats["series"].dump();

  // A restart on the store that now holds samples adds no second day.
  ASSERT_TRUE(server.Restart(&error)) << error;
  EXPECT_EQ(server.Stderr().find("demo day: "), std::string::npos) << server.Stderr();
  EXPECT_LT(GetJson(server, "/api/stats")["count"].get<int64_t>(), 43200 + 1000);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(DemoDay, DeleteRemovesTheDemoDataAndTheLiveSeriesGoesOn) {
  ServerProcess server(SimulatedServer());
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const json marked = GetJson(server, "/api/demo");
  EXPECT_EQ(marked["demo"], true);
  ASSERT_EQ(marked["sources"].size(), 1u);
  EXPECT_EQ(marked["sources"][0]["model"], "sim-llm");

  EXPECT_EQ(server.Call("DELETE", "/api/demo", "", Auth::kNone).status, 401);
  const Reply deleted = server.Call("DELETE", "/api/demo");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  const json receipt = json::parse(deleted.body);
  EXPECT_EQ(receipt["deleted"], true);
  EXPECT_GT(receipt["rows"].get<int64_t>(), 43200);

  EXPECT_EQ(GetJson(server, "/api/demo")["demo"], false);
  const json after = GetJson(server, "/api/stats");
  EXPECT_LT(after["count"].get<int64_t>(), 10);
  EXPECT_EQ(after["violations"].get<int64_t>(), 0);
  EXPECT_EQ(GetJson(server, "/api/violations?limit=10")["count"], 0);

  // The live probe goes on: its next samples are stored and its series learns anew.
  const int64_t left = after["count"].get<int64_t>();
  json stats;
  for (int i = 0; i < 100; ++i) {
    stats = GetJson(server, "/api/stats");
    if (stats["count"].get<int64_t>() > left) break;
    usleep(100 * 1000);
  }
  ASSERT_GT(stats["count"].get<int64_t>(), left);
  bool learning = false;
  for (const json& s : stats["series"]) {
    if (s["id"] == "simulated/sim-llm/e2e_ms#short") learning = s["state"] == "learning";
  }
  EXPECT_TRUE(learning) << stats["series"].dump();

  const Reply again = server.Call("DELETE", "/api/demo");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["deleted"], false);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(DemoDay, DemoFalseLeavesThePastEmpty) {
  ServerProcess server(SimulatedServer({"--demo=false"}));
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(server.Stderr().find("demo day: "), std::string::npos) << server.Stderr();
  const json stats = GetJson(server, "/api/stats");
  EXPECT_LT(stats["count"].get<int64_t>(), 10);  // the live probe's first calls at most
  EXPECT_EQ(stats["violations"].get<int64_t>(), 0);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(DemoDay, TheConfigKeyTurnsItOff) {
  ConfigFile config("[server]\ndemo = false\n");
  ServerProcess server(SimulatedServer({"--config", config.path()}));
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(server.Stderr().find("demo day: "), std::string::npos) << server.Stderr();
  EXPECT_LT(GetJson(server, "/api/stats")["count"].get<int64_t>(), 10);
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace llmscope::testing

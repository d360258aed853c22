// `llmscope serve` survives crashes and restarts without losing or changing anything: a child
// server killed with SIGKILL under ingest load from 4 clients (single samples and batches of 50)
// and restarted on the same data directory still holds every sample it acknowledged, holds
// each batch whole or not at all, and its SQLite file passes PRAGMA integrity_check; and a
// series with frozen limits and violation events (baseline, spike, shift) answers with the same
// series, limits (to the bit), violations and contexts after a clean SIGTERM restart and after a
// SIGKILL restart, and judges the next point as if it had never stopped.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/ingest_load.h"
#include "support/server_process.h"
#include "support/sqlite_file.h"

namespace {

using llmscope::testing::IngestLoad;
using llmscope::testing::IngestLoadOptions;
using llmscope::testing::Reply;
using llmscope::testing::ServerOptions;
using llmscope::testing::ServerProcess;
using llmscope::testing::SqliteFile;
using llmscope::testing::StartServer;
using nlohmann::json;

json Sample(double latency_ms, const std::string& provider, const std::string& model) {
  return json{{"provider", provider}, {"model", model}, {"latency_ms", latency_ms}};
}

json GetJson(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  return json::parse(r.body, nullptr, false);
}

std::vector<int64_t> Ingest(const ServerProcess& s, const json& body) {
  const Reply r = s.Call("POST", "/api/stats", body.dump());
  EXPECT_EQ(r.status, 200) << r.body << r.transport_error;
  if (r.status != 200) return {};
  return json::parse(r.body)["ids"].get<std::vector<int64_t>>();
}

TEST(ServerCrashTest, SigkillUnderIngestLoadLosesNoAcknowledgedSample) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  constexpr int kKillAfterAcknowledged = 800;
  constexpr auto kKillAfter = std::chrono::seconds(2);
  IngestLoad load(server->port(), server->AuthHeaders(), IngestLoadOptions{});
  load.WaitForAcknowledged(kKillAfterAcknowledged, kKillAfter);
  load.ServerGone();
  server->Kill();
  load.Join();
  EXPECT_TRUE(load.unexpected().empty()) << ::testing::PrintToString(load.unexpected());
  const std::vector<int64_t>& acked_ids = load.acknowledged_ids();
  ASSERT_GT(acked_ids.size(), 0u) << "no request was acknowledged before the kill";
  std::cout << "[ info ] acknowledged " << load.acknowledged() << " requests (" << acked_ids.size()
            << " samples) of " << load.issued() << " issued before SIGKILL" << std::endl;

  // Restart on the same data directory: the store opens, the charts rebuild.
  std::string error;
  ASSERT_TRUE(server->Start(&error)) << error;
  const json stats = GetJson(*server, "/api/stats");
  EXPECT_GE(stats["count"].get<int64_t>(), static_cast<int64_t>(acked_ids.size()));
  int64_t points = -1;
  const json series = GetJson(*server, "/api/series");
  for (const json& s : series["series"]) {
    if (s["provider"] == "load" && s["metric"] == "e2e_ms") points = s["points"];
  }
  EXPECT_NE(points, -1) << series.dump(1);
  // The server still takes samples after the crash.
  ASSERT_EQ(Ingest(*server, Sample(1000, "load", "m")).size(), 1u);
  ASSERT_EQ(server->Stop(), 0) << server->Stderr();

  SqliteFile db(server->db_path());
  EXPECT_EQ(db.IntegrityCheck(), "ok");
  std::set<int64_t> stored;
  std::map<std::string, int> per_tag;
  for (const auto& row : db.Rows("SELECT id, prompt_hash FROM samples WHERE provider = 'load'")) {
    stored.insert(std::stoll(row[0]));
    ++per_tag[row[1]];
  }
  int missing = 0;
  for (int64_t id : acked_ids) missing += stored.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0) << "acknowledged samples lost by SIGKILL";
  EXPECT_EQ(std::set<int64_t>(acked_ids.begin(), acked_ids.end()).size(), acked_ids.size())
      << "an id was acknowledged twice";
  for (const std::string& tag : load.acknowledged_tags()) {
    EXPECT_EQ(per_tag[tag], load.samples_per_tag(tag)) << tag;
  }
  // All or nothing, acknowledged or not: no half batch, no duplicated single.
  for (const auto& [tag, n] : per_tag) {
    if (tag.empty()) continue;  // the sample posted after the restart
    EXPECT_EQ(n, load.samples_per_tag(tag)) << tag;
  }
  // The chart rebuilt from the store saw every stored sample (the one after restart excluded).
  EXPECT_EQ(points, static_cast<int64_t>(stored.size()) - 1);
}

double InControl(int i) {
  return 2000.0 * std::exp(0.05 * std::sin(static_cast<double>(i)));
}

// Everything a restart must not change, as the API shows it.
json Snapshot(const ServerProcess& s) {
  json snap;
  snap["series"] = GetJson(s, "/api/series");
  snap["stats"] = GetJson(s, "/api/stats");
  snap["violations"] = GetJson(s, "/api/violations");
  snap["spc"] = GetJson(s, "/api/stats/spc?provider=ollama&model=llama3&metric=e2e_ms");
  json details = json::array();
  for (const json& v : snap["violations"]["violations"]) {
    details.push_back(GetJson(s, "/api/violations/" + std::to_string(v["id"].get<int64_t>())));
  }
  snap["details"] = details;
  const Reply csv = s.Call("GET", "/api/export/violations");
  snap["csv"] = csv.body;
  return snap;
}

TEST(ServerCrashTest, RestartGivesTheSameLimitsAndViolations) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  // Baseline of 100, a spike (R1 at 100), a shift of 12 points (R2 and friends), 5 in control.
  json batch = json::array();
  for (int i = 0; i < 100; ++i) batch.push_back(Sample(InControl(i), "ollama", "llama3"));
  ASSERT_EQ(Ingest(*server, json{{"samples", batch}}).size(), 100u);
  ASSERT_EQ(Ingest(*server, Sample(20000, "ollama", "llama3")).size(), 1u);
  for (int i = 101; i <= 112; ++i) {
    ASSERT_EQ(Ingest(*server, Sample(InControl(i) * std::exp(0.1), "ollama", "llama3")).size(), 1u);
  }
  for (int i = 113; i <= 117; ++i) {
    ASSERT_EQ(Ingest(*server, Sample(InControl(i), "ollama", "llama3")).size(), 1u);
  }

  const json violations = GetJson(*server, "/api/violations?phase=monitoring");
  int64_t r1 = 0;
  bool r2 = false;
  for (const json& v : violations["violations"]) {
    if (v["rule"] == "R1" && v["first_index"] == 100) r1 = v["id"];
    if (v["rule"] == "R2" && v["first_index"] >= 101 && v["last_index"] <= 112) r2 = true;
  }
  ASSERT_NE(r1, 0) << violations.dump();
  ASSERT_TRUE(r2) << "the shift of 12 points opens an R2 event: " << violations.dump();
  const Reply ack = server->Call("POST", "/api/violations/" + std::to_string(r1) + "/acknowledge",
                                 R"({"by":"tester"})");
  ASSERT_EQ(ack.status, 200) << ack.body;

  const json before = Snapshot(*server);
  // The latency series and the p-chart of the source's errors (none failed: p̄ = 0).
  ASSERT_EQ(before["series"]["series"].size(), 2u) << before["series"].dump();
  EXPECT_EQ(before["series"]["series"][0]["metric"], "e2e_ms");
  EXPECT_EQ(before["series"]["series"][1]["metric"], "error");
  EXPECT_EQ(before["series"]["series"][1]["points"], 118);
  EXPECT_EQ(before["series"]["series"][1]["state"], "in_control");
  const json limits = before["series"]["series"][0]["limits"];
  ASSERT_TRUE(limits.is_object());
  EXPECT_GT(limits["ucl"].get<double>(), limits["cl"].get<double>());
  EXPECT_GT(limits["cl"].get<double>(), limits["lcl"].get<double>());

  // A clean stop and start.
  ASSERT_EQ(server->Stop(), 0) << server->Stderr();
  std::string error;
  ASSERT_TRUE(server->Start(&error)) << error;
  const json after_restart = Snapshot(*server);
  EXPECT_EQ(before, after_restart)
      << "changed by a SIGTERM restart: " << json::diff(before, after_restart).dump(1);

  // A crash and start.
  server->Kill();
  ASSERT_TRUE(server->Start(&error)) << error;
  const json after_crash = Snapshot(*server);
  EXPECT_EQ(before, after_crash) << "changed by a SIGKILL restart: "
                                 << json::diff(before, after_crash).dump(1);

  // The chart goes on where it stopped: the next spike is R1 at index 118, a new event.
  ASSERT_EQ(Ingest(*server, Sample(20000, "ollama", "llama3")).size(), 1u);
  int64_t next_r1 = 0;
  const json r1_list = GetJson(*server, "/api/violations?rule=R1");
  for (const json& v : r1_list["violations"]) {
    if (v["first_index"] == 118) next_r1 = v["id"];
  }
  EXPECT_GT(next_r1, 0) << r1_list.dump(1);
  int64_t max_before = 0;
  for (const json& v : before["violations"]["violations"]) {
    max_before = std::max(max_before, v["id"].get<int64_t>());
  }
  EXPECT_GT(next_r1, max_before) << "violation ids are not reused";
  EXPECT_EQ(server->Stop(), 0);
  SqliteFile db(server->db_path());
  EXPECT_EQ(db.IntegrityCheck(), "ok");
}

}  // namespace

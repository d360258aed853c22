// Several `llmscope serve` processes on one PostgreSQL database (docs/design.md
// "Several servers on one database"): the real binary, twice, with --store postgres://... on a
// real PostgreSQL 15 server this binary starts (support/postgres_server.h), a fresh database per
// test. Samples ingested to either server are charted by both, with the same limits, stages and
// violations, and each violation is stored once; a re-baseline posted to one server begins at
// the same sample on both; an override set through one server is applied by the other; remote
// probes of two sites pushing to the two servers are seen by both; an SLO set or deleted
// through one server is used or dropped by the other within its settings poll.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.h"
#include "support/postgres_server.h"
#include "support/server_process.h"
#include "support/subprocess.h"

namespace llmscope::testing {
namespace {

using json = nlohmann::json;

const ::testing::Environment* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment({{"fsync=off"}}));

constexpr char kSeriesQuery[] = "/api/stats/spc?provider=ollama&model=llama3&metric=e2e_ms";

json Sample(double latency_ms) {
  return json{{"provider", "ollama"}, {"model", "llama3"}, {"latency_ms", latency_ms}};
}

// A deterministic in-control latency series around `center` ms.
double InControl(int i, double center = 2000.0) {
  return center * std::exp(0.05 * std::sin(static_cast<double>(i)));
}

json GetJson(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  return json::parse(r.body, nullptr, false);
}

void Ingest(const ServerProcess& s, const json& batch) {
  const Reply r = s.Call("POST", "/api/stats", json{{"samples", batch}}.dump());
  EXPECT_EQ(r.status, 200) << r.body << r.transport_error;
}

// Points of the series in GET /api/series (-1 when absent).
int64_t Points(const ServerProcess& s, const std::string& model, const std::string& site = "") {
  const json list = GetJson(s, "/api/series");
  if (!list.is_object()) return -1;
  for (const json& e : list["series"]) {
    if (e["model"] == model && e["site"] == site && e["metric"] == "e2e_ms") {
      return e["points"].get<int64_t>();
    }
  }
  return -1;
}

// Waits (bounded) until each server charts `points` points of the series: the other server's
// samples reach a server through its store tailer.
void WaitForPoints(const std::vector<ServerProcess*>& servers, int64_t points,
                   const std::string& model = "llama3", const std::string& site = "") {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (ServerProcess* s : servers) {
    while (Points(*s, model, site) != points && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(Points(*s, model, site), points) << "server on port " << s->port();
  }
}

// The first value of a query on the test's database, as text.
std::string Sql(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* r = PQexec(conn, sql.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << sql << ": " << PQresultErrorMessage(r);
  std::string value = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(conn);
  return value;
}

// Polls `done` every 50 ms for up to 15 s (a server's settings poll is 2 s).
bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Where the chart's capability comes from ("slo", "query"), or "" without one.
std::string SpecSource(const ServerProcess& s) {
  const json capability = GetJson(s, kSeriesQuery)["capability"];
  return capability.is_object() ? capability.value("spec_source", "") : "";
}

bool MetricsHaveCapability(const ServerProcess& s) {
  return s.Call("GET", "/metrics").body.find("llmscope_capability{") != std::string::npos;
}

class SharedPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LLMSCOPE_REQUIRE_POSTGRES();
    const std::string name = NextDatabaseName();
    std::string error;
    ASSERT_TRUE(PostgresEnvironment::server()->CreateDatabase(name, &error)) << error;
    url_ = PostgresEnvironment::server()->Url(name);
    for (auto* server : {&a_, &b_}) {
      ServerOptions options;
      options.extra_args = {"--store", url_};
      *server = StartServer(LLMSCOPE_BINARY, options);
      ASSERT_NE(*server, nullptr);
    }
  }

  std::string url_;
  std::unique_ptr<ServerProcess> a_, b_;
};

TEST_F(SharedPostgresTest, TwoServersChartOneSequenceAndLogEachViolationOnce) {
  // The baseline, in batches of 10 sent to the two servers in turn.
  for (int batch = 0; batch < 10; ++batch) {
    json items = json::array();
    for (int i = 0; i < 10; ++i) items.push_back(Sample(InControl(batch * 10 + i)));
    Ingest(batch % 2 == 0 ? *a_ : *b_, items);
  }
  // Two spikes (two R1 events) to the two servers, and a run of 9 points above the center (R2)
  // split between them.
  Ingest(*a_, json::array({Sample(20000), Sample(InControl(0))}));
  Ingest(*b_, json::array({Sample(25000), Sample(InControl(1))}));
  for (int i = 0; i < 9; ++i) Ingest(i % 2 == 0 ? *b_ : *a_, json::array({Sample(2150 + i)}));
  WaitForPoints({a_.get(), b_.get()}, 113);

  const json spc_a = GetJson(*a_, kSeriesQuery), spc_b = GetJson(*b_, kSeriesQuery);
  ASSERT_TRUE(spc_a["limits"].is_object()) << spc_a.dump();
  EXPECT_EQ(spc_a["limits"], spc_b["limits"]);
  EXPECT_EQ(spc_a["stages"], spc_b["stages"]);
  EXPECT_EQ(spc_a["chart"], spc_b["chart"]);
  EXPECT_EQ(spc_a["violations"], spc_b["violations"]);
  EXPECT_EQ(spc_a["ids"], spc_b["ids"]);
  EXPECT_EQ(spc_a, spc_b) << "the whole chart, point for point";

  // Each event once, under one id that both servers report.
  const json violations_a = GetJson(*a_, "/api/violations"),
             violations_b = GetJson(*b_, "/api/violations");
  EXPECT_EQ(violations_a, violations_b);
  EXPECT_GE(std::stoi(Sql(url_, "SELECT count(*) FROM violations WHERE rule = 'R1'")), 2);
  EXPECT_GE(std::stoi(Sql(url_, "SELECT count(*) FROM violations WHERE rule = 'R2'")), 1);
  EXPECT_EQ(Sql(url_, "SELECT count(*) FROM violations"),
            Sql(url_,
                "SELECT count(*) FROM (SELECT DISTINCT provider, model, site, profile, "
                "metric, stage, phase, rule, first_index FROM violations) AS events"));
  EXPECT_EQ(Sql(url_, "SELECT count(*) FROM samples"), "113");
}

TEST_F(SharedPostgresTest, AReBaselinePostedToOneServerBeginsAtTheSameSampleOnBoth) {
  for (int batch = 0; batch < 10; ++batch) {
    json items = json::array();
    for (int i = 0; i < 10; ++i) items.push_back(Sample(InControl(batch * 10 + i)));
    Ingest(batch % 2 == 0 ? *a_ : *b_, items);
  }
  WaitForPoints({a_.get(), b_.get()}, 100);
  const Reply posted = a_->Call("POST", "/api/series/ollama/llama3/e2e_ms/stages", "{}");
  ASSERT_EQ(posted.status, 201) << posted.body;

  // The service moved to ~3000 ms; the new stage learns it from the next 100 points, sent to
  // both servers in turn.
  for (int batch = 0; batch < 10; ++batch) {
    json items = json::array();
    for (int i = 0; i < 10; ++i) items.push_back(Sample(InControl(batch * 10 + i, 3000.0)));
    Ingest(batch % 2 == 0 ? *b_ : *a_, items);
  }
  WaitForPoints({a_.get(), b_.get()}, 200);
  const json spc_a = GetJson(*a_, kSeriesQuery), spc_b = GetJson(*b_, kSeriesQuery);
  ASSERT_EQ(spc_a["stages"].size(), 2u) << spc_a["stages"].dump();
  EXPECT_EQ(spc_a["stages"], spc_b["stages"]);
  EXPECT_EQ(spc_a["stages"][1]["start_index"], 100) << spc_a["stages"].dump();
  EXPECT_EQ(spc_a["stages"][1]["frozen"], true);
  EXPECT_EQ(spc_a["limits"], spc_b["limits"]);
  EXPECT_GT(spc_a["limits"]["cl"].get<double>(), 2900);
  EXPECT_EQ(spc_a["chart"], spc_b["chart"]);
  EXPECT_EQ(Sql(url_, "SELECT count(*) FROM violations"), "0");
}

// A series' override set through one server (docs/design.md "Per-series overrides") is applied
// by the other through its settings watcher: its alarm detector takes the new budget.
TEST_F(SharedPostgresTest, AnOverrideSetThroughOneServerIsAppliedByTheOther) {
  for (int batch = 0; batch < 10; ++batch) {
    json items = json::array();
    for (int i = 0; i < 10; ++i) items.push_back(Sample(InControl(batch * 10 + i)));
    Ingest(batch % 2 == 0 ? *a_ : *b_, items);
  }
  WaitForPoints({a_.get(), b_.get()}, 100);
  const Reply put = a_->Call("PUT", "/api/series/ollama/llama3/e2e_ms/settings",
                             R"({"false_alerts_per_30d": 0.25})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto budget = [](const ServerProcess& s) {
    const json list = GetJson(s, "/api/series");
    for (const json& e : list["series"]) {
      if (e["metric"] == "e2e_ms") return e["alerting"]["budget_per_30d"].get<double>();
    }
    return -1.0;
  };
  EXPECT_EQ(budget(*a_), 0.25) << "applied at once where it was set";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (budget(*b_) != 0.25 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(budget(*b_), 0.25) << "the other server's watcher applied it";
}

// Two sites, each with a remote probe pushing to its own server; both servers chart both.
TEST_F(SharedPostgresTest, RemoteProbesOfTwoSitesPushingToTwoServersAreSeenByBoth) {
  char tmpl[] = "/tmp/llmscope-shared-spool-XXXXXX";
  const std::string spool = mkdtemp(tmpl);
  struct Site {
    std::string name;
    ServerProcess* server;
  };
  std::vector<std::thread> probes;
  std::vector<CommandResult> results(2);
  const std::vector<Site> sites = {{"east", a_.get()}, {"west", b_.get()}};
  for (size_t i = 0; i < sites.size(); ++i) {
    probes.emplace_back([&, i] {
      const Site& site = sites[i];
      results[i] =
          RunCommand({LLMSCOPE_BINARY, "probe", "--target",
                      "provider=simulated,model=sim,median_e2e_ms=5,stream=false,site=" + site.name,
                      "--count", "6", "--interval", "0", "--push",
                      "http://127.0.0.1:" + std::to_string(site.server->port()), "--key",
                      site.server->api_key(), "--spool-dir", spool + "/" + site.name});
    });
  }
  for (std::thread& t : probes) t.join();
  std::filesystem::remove_all(spool);
  for (const CommandResult& r : results) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("pushed 6, 0 waiting"), std::string::npos) << r.err;
  }
  for (const Site& site : sites) WaitForPoints({a_.get(), b_.get()}, 6, "sim", site.name);
  EXPECT_EQ(Sql(url_, "SELECT count(DISTINCT site) FROM samples"), "2");
  EXPECT_EQ(GetJson(*a_, "/api/stats")["count"], 12);
  EXPECT_EQ(GetJson(*b_, "/api/stats")["count"], 12);
}

// One history in a SQLite server and in a PostgreSQL one: a window's reply, from rollups
// (max_points) and from the samples, is the same in both stores.
TEST_F(SharedPostgresTest, AWindowReadsTheSameFromSqliteAndPostgres) {
  auto sqlite = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(sqlite, nullptr);
  const int64_t step = 10'000;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t t0 = (now - 600'000 - 600 * step) / 1000 * 1000;
  json batch = json::array();
  int failed = 0;
  for (int i = 0; i < 600; ++i) {
    json s = Sample(i == 450 ? 50000.0 : InControl(i));
    s["timestamp"] = FormatIsoUtc(t0 + i * step);
    if (i % 97 == 5) {
      s["error"] = true;
      ++failed;
    }
    batch.push_back(std::move(s));
  }
  Ingest(*a_, batch);
  Ingest(*sqlite, batch);
  WaitForPoints({a_.get(), sqlite.get()}, 600 - failed);  // a failed call has no latency
  const std::string window = std::string(kSeriesQuery) + "&since=" + FormatIsoUtc(t0 + 7000) +
                             "&until=" + FormatIsoUtc(t0 + 600 * step - 13000) + "&columns=chart";
  for (const std::string& query : {window + "&max_points=120", window}) {
    const json pg = GetJson(*a_, query), lite = GetJson(*sqlite, query);
    for (const char* field : {"source", "count", "window_count", "bucket_ms", "values", "ids",
                              "time_ms", "errors", "summary", "limits"}) {
      EXPECT_EQ(pg.value(field, json()), lite.value(field, json())) << query << ": " << field;
    }
    EXPECT_EQ(pg["violation_marks"]["time_ms"], lite["violation_marks"]["time_ms"]) << query;
    EXPECT_EQ(pg["violation_marks"]["rules"], lite["violation_marks"]["rules"]) << query;
  }
  EXPECT_EQ(GetJson(*a_, window + "&max_points=120")["source"], "rollup_1m");
}

// Each server keeps the SLOs in memory: the one that took the change uses it at once, the other
// once its settings watcher has seen the change.
TEST_F(SharedPostgresTest, AnSloSetThroughOneServerIsUsedByTheOtherWithinItsPoll) {
  json baseline = json::array();
  for (int i = 0; i < 100; ++i) baseline.push_back(Sample(InControl(i)));
  Ingest(*a_, baseline);
  WaitForPoints({a_.get(), b_.get()}, 100);
  ASSERT_EQ(SpecSource(*b_), "");

  constexpr char kSlo[] = "/api/series/ollama/llama3/e2e_ms/slo";
  const Reply put = a_->Call("PUT", kSlo, R"({"usl": 3000})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(SpecSource(*a_), "slo") << "at once on the server that took it";
  EXPECT_TRUE(WaitFor([&] { return SpecSource(*b_) == "slo"; }));
  EXPECT_TRUE(WaitFor([&] { return MetricsHaveCapability(*b_); }));

  ASSERT_EQ(b_->Call("DELETE", kSlo).status, 204);
  EXPECT_EQ(SpecSource(*b_), "");
  EXPECT_FALSE(MetricsHaveCapability(*b_));
  EXPECT_TRUE(WaitFor([&] { return SpecSource(*a_).empty() && !MetricsHaveCapability(*a_); }));
}

// A window older than the minute rollups' retention, filled in from the hour rollups
// (server/rollup_window.h), reads the same from SQLite and PostgreSQL.
TEST_F(SharedPostgresTest, AWindowPastMinuteRollupRetentionReadsTheSameFromSqliteAndPostgres) {
  constexpr int64_t kHourMs = 3'600'000, kDayMs = 86'400'000, kStepMs = 10'000;
  ServerOptions short_retention;
  short_retention.env = {{"LLMSCOPE_STORE_RETENTION_DAYS", "1"},
                         {"LLMSCOPE_STORE_ROLLUP_MINUTE_DAYS", "1"}};
  auto sqlite = StartServer(LLMSCOPE_BINARY, short_retention);
  ASSERT_NE(sqlite, nullptr);
  // Three whole hours three days ago: kept until retention next runs (as a server starts).
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t t0 = (now - 3 * kDayMs) / kHourMs * kHourMs;
  json batch = json::array();
  for (int i = 0; i < 3 * 360; ++i) {
    json s = Sample(InControl(i));
    s["timestamp"] = FormatIsoUtc(t0 + i * kStepMs);
    batch.push_back(std::move(s));
  }
  Ingest(*a_, batch);
  Ingest(*sqlite, batch);
  std::string error;
  ASSERT_TRUE(sqlite->Restart(&error)) << error;
  short_retention.extra_args = {"--store", url_};
  auto postgres = StartServer(LLMSCOPE_BINARY, short_retention);
  ASSERT_NE(postgres, nullptr);
  const std::string window = std::string(kSeriesQuery) + "&since=" + FormatIsoUtc(t0) +
                             "&until=" + FormatIsoUtc(t0 + 3 * kHourMs) +
                             "&columns=chart&max_points=60";
  json pg, lite;
  for (int i = 0; i < 1000; ++i) {
    pg = GetJson(*postgres, window);
    lite = GetJson(*sqlite, window);
    if (pg["source"] == "rollup_1h" && lite["source"] == "rollup_1h") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(pg["source"], "rollup_1h");
  EXPECT_EQ(pg["window_count"], 3 * 360);
  for (const char* field :
       {"source", "count", "window_count", "bucket_ms", "values", "ids", "time_ms", "errors"}) {
    EXPECT_EQ(pg.value(field, json()), lite.value(field, json())) << field;
  }
  for (const char* field : {"count", "min", "max", "error_rate"}) {
    EXPECT_EQ(pg["summary"][field], lite["summary"][field]) << field;
  }
}

}  // namespace
}  // namespace llmscope::testing

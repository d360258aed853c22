// POST /api/stats with ingest keys, end to end over real sockets on 127.0.0.1 against a child
// `llmscope serve` and its SQLite file: a keyed batch posted twice is stored once, with one set
// of violations; the second reply acknowledges every sample with its stored id and counts them
// as duplicates; a batch mixing resent and new samples stores only the new ones; the keys
// survive a restart; a bad key is refused with 400 naming the item.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/server_process.h"

namespace {

using llmscope::testing::Reply;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;

json Parse(const Reply& r) {
  return json::parse(r.body, nullptr, false);
}

// Posts `body`, expects 200, and returns the reply's JSON.
json Post(const ServerProcess& s, const json& body) {
  const Reply r = s.Call("POST", "/api/stats", body.dump());
  EXPECT_EQ(r.status, 200) << r.body << r.transport_error;
  return Parse(r);
}

json GetJson(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  return Parse(r);
}

json Keyed(double latency_ms, const std::string& key) {
  return json{
      {"provider", "ollama"}, {"model", "llama3"}, {"latency_ms", latency_ms}, {"ingest_key", key}};
}

// 100 in-control points around 2000 ms and a spike of 20000 ms: one R1 event once judged.
json BaselineAndSpike() {
  json items = json::array();
  for (int i = 0; i < 100; ++i) {
    items.push_back(Keyed(2000.0 * std::exp(0.05 * std::sin(static_cast<double>(i))),
                          "probe-x-1-" + std::to_string(i)));
  }
  items.push_back(Keyed(20000, "probe-x-1-100"));
  return json{{"samples", items}};
}

int64_t StoredCount(const ServerProcess& s) {
  return GetJson(s, "/api/stats")["count"];
}

// The e2e_ms series of ollama/llama3 in GET /api/series.
json E2eSeries(const ServerProcess& s) {
  const json list = GetJson(s, "/api/series");
  for (const json& e : list["series"]) {
    if (e["provider"] == "ollama" && e["metric"] == "e2e_ms") return e;
  }
  return nullptr;
}

// Every violation, as GET /api/violations lists them (newest first).
json AllViolations(const ServerProcess& s) {
  return GetJson(s, "/api/violations?limit=1000")["violations"];
}

TEST(IngestKeyTest, ResentKeyedBatchIsStoredOnceWithOneSetOfViolations) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const json body = BaselineAndSpike();

  const json first = Post(*server, body);
  ASSERT_EQ(first["ids"].size(), 101u) << first.dump();
  EXPECT_EQ(first["duplicates"], 0);
  EXPECT_GE(first["violations_detected"].get<int>(), 1);
  const json violations = AllViolations(*server);
  ASSERT_FALSE(violations.empty());
  const json series = E2eSeries(*server);
  ASSERT_TRUE(series.is_object());
  EXPECT_EQ(series["points"], 101);

  // The same batch again, as a probe whose acknowledgement was lost sends it.
  const json second = Post(*server, body);
  EXPECT_EQ(second["count"], 101);
  EXPECT_EQ(second["ids"], first["ids"]);
  EXPECT_EQ(second["duplicates"], 101);
  EXPECT_EQ(second["violations_detected"], 0);
  EXPECT_EQ(StoredCount(*server), 101);
  EXPECT_EQ(AllViolations(*server), violations);
  EXPECT_EQ(E2eSeries(*server), series);

  // A resent sample and a new one: only the new one is stored and judged.
  const json mixed =
      Post(*server, json{{"samples", {Keyed(9999, "probe-x-1-5"), Keyed(2010, "probe-x-2-0")}}});
  EXPECT_EQ(mixed["duplicates"], 1);
  EXPECT_EQ(mixed["ids"][0], first["ids"][5]);
  EXPECT_GT(mixed["ids"][1].get<int64_t>(), first["ids"][100].get<int64_t>());
  EXPECT_EQ(StoredCount(*server), 102);
  EXPECT_EQ(E2eSeries(*server)["points"], 102);

  // The keys are durable: after a restart the batch is still a duplicate, and the replay finds
  // the same violations.
  const json before_restart = AllViolations(*server);
  std::string error;
  ASSERT_TRUE(server->Restart(&error)) << error;
  const json after_restart = Post(*server, body);
  EXPECT_EQ(after_restart["ids"], first["ids"]);
  EXPECT_EQ(after_restart["duplicates"], 101);
  EXPECT_EQ(StoredCount(*server), 102);
  EXPECT_EQ(AllViolations(*server), before_restart);
  EXPECT_EQ(E2eSeries(*server)["points"], 102);
}

TEST(IngestKeyTest, BadKeyIsRefusedNamingTheItemAndStoresNothing) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  for (const json& bad : {json(""), json(std::string(129, 'k')), json("caf\u00e9"), json(7)}) {
    SCOPED_TRACE(bad.dump());
    const json body = json{{"samples", {Keyed(2000, "ok-1"), Keyed(2000, "x")}}};
    json refused = body;
    refused["samples"][1]["ingest_key"] = bad;
    const Reply r = server->Call("POST", "/api/stats", refused.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    const json j = Parse(r);
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_EQ(j["error"]["code"], "invalid_field");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("samples[1].ingest_key"),
              std::string::npos)
        << r.body;
  }
  EXPECT_EQ(StoredCount(*server), 0);
}

}  // namespace

// POST /api/stats as an upgrading user meets it, end to end over real sockets on 127.0.0.1
// against a child `llmscope serve` and its SQLite file: the original LLMscope monitor's payload,
// exactly as monitor_apis.py builds it (Python's naive utcnow().isoformat(), rounded floats, an
// 8-hex-digit prompt_hash, "success"), is stored with its values, and its failure payload
// ("success": false) as a failed call; unknown keys are ignored and named in the reply; a call
// that measured nothing and values beyond the sane bounds are refused with 400 naming what is
// wrong, and stored not at all; bounds set in the config or the environment are the ones
// applied; prompt text is stored only when the config turns it on.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/server_process.h"
#include "support/sqlite_file.h"
#include "support/temp_dir.h"

namespace {

using llmscope::testing::Reply;
using llmscope::testing::ServerOptions;
using llmscope::testing::ServerProcess;
using llmscope::testing::SqliteFile;
using llmscope::testing::StartServer;
using llmscope::testing::TempDir;
using nlohmann::json;

// monitor_apis.py's TEST_PROMPT and PROMPT_HASH (sha256 of the prompt, its first 8 hex digits).
constexpr char kPrompt[] = "Write one sentence explaining what LLMscope does.";
constexpr char kPromptHash[] = "2a645e50";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Python's datetime.utcnow().isoformat() at `ms` plus `micros` microseconds:
// "2026-12-06T18:52:17.123456" (no offset), or without the fraction when it is zero.
std::string PythonUtcIso(int64_t ms, int micros) {
  const time_t seconds = static_cast<time_t>(ms / 1000);
  tm t{};
  gmtime_r(&seconds, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
  std::string out = buf;
  const int fraction = static_cast<int>(ms % 1000) * 1000 + micros;
  if (fraction != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", fraction);
    out += buf;
  }
  return out;
}

json Parse(const Reply& r) {
  return json::parse(r.body, nullptr, false);
}

Reply Post(const ServerProcess& s, const json& body) {
  return s.Call("POST", "/api/stats", body.dump());
}

// The stored sample `id`: each named column as SQLite's text of it ("" for NULL).
std::map<std::string, std::string> StoredSample(const ServerProcess& s, int64_t id) {
  static const std::vector<std::string> kColumns = {"time_ms",
                                                    "provider",
                                                    "model",
                                                    "e2e_ms",
                                                    "tokens_per_s",
                                                    "error",
                                                    "error_message",
                                                    "total_duration_ms",
                                                    "load_duration_ms",
                                                    "prompt_eval_duration_ms",
                                                    "eval_duration_ms",
                                                    "prompt_eval_count",
                                                    "eval_count",
                                                    "cpu_percent",
                                                    "memory_percent",
                                                    "gpu_percent",
                                                    "gpu_memory_percent",
                                                    "prompt_hash",
                                                    "prompt_text IS NULL"};
  std::string sql = "SELECT ";
  for (size_t i = 0; i < kColumns.size(); ++i) sql += (i ? ", " : "") + kColumns[i];
  sql += " FROM samples WHERE id = " + std::to_string(id);
  SqliteFile db(s.db_path());
  const auto rows = db.Rows(sql);
  std::map<std::string, std::string> out;
  if (rows.size() != 1) {
    ADD_FAILURE() << "no sample " << id;
    return out;
  }
  for (size_t i = 0; i < kColumns.size(); ++i) out[kColumns[i]] = rows[0][i];
  return out;
}

int64_t StoredCount(const ServerProcess& s) {
  SqliteFile db(s.db_path());
  return std::stoll(db.Rows("SELECT COUNT(*) FROM samples")[0][0]);
}

// Expects 200 and one stored sample; returns its id (0 on failure).
int64_t PostOne(const ServerProcess& s, const json& sample) {
  const Reply r = Post(s, sample);
  EXPECT_EQ(r.status, 200) << r.body << r.transport_error;
  const json j = Parse(r);
  if (r.status != 200 || j["ids"].size() != 1) return 0;
  return j["ids"][0].get<int64_t>();
}

// Expects 400 {"error": {"code": code, "message": containing each of `mentions`}}.
void ExpectRefused(const Reply& r, const std::string& code,
                   const std::vector<std::string>& mentions) {
  EXPECT_EQ(r.status, 400) << r.body << r.transport_error;
  const json j = Parse(r);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["code"], code) << r.body;
  const std::string message = j["error"]["message"];
  for (const std::string& m : mentions) {
    EXPECT_NE(message.find(m), std::string::npos) << "'" << m << "' not in: " << message;
  }
}

// monitor_apis.py's test_ollama() result after a call that succeeded.
json MonitorSuccess(const std::string& timestamp) {
  return json{{"provider", "ollama"},
              {"model", "mistral"},
              {"latency_ms", 1834.217},
              {"timestamp", timestamp},
              {"success", true},
              {"total_duration_ms", 1829.904},
              {"load_duration_ms", 12.337},
              {"prompt_eval_duration_ms", 95.112},
              {"eval_duration_ms", 1702.45},
              {"prompt_eval_count", 26},
              {"eval_count", 38},
              {"tokens_per_second", 22.32},
              {"prompt_efficiency", 273.36},
              {"cpu_percent", 12.7},
              {"memory_percent", 48.31},
              {"gpu_percent", 87},
              {"gpu_memory_percent", 61.05},
              {"prompt_hash", kPromptHash},
              {"prompt_text", kPrompt}};
}

// Its result after a call that failed.
json MonitorFailure(const std::string& timestamp) {
  return json{{"provider", "ollama"},
              {"model", "mistral"},
              {"latency_ms", 3.871},
              {"timestamp", timestamp},
              {"success", false},
              {"error_message",
               "Cannot connect to host localhost:11434 ssl:default [Connect call "
               "failed ('127.0.0.1', 11434)]"},
              {"cpu_percent", 3.1},
              {"memory_percent", 47.9},
              {"gpu_percent", 0},
              {"gpu_memory_percent", 0}};
}

TEST(IngestCompatTest, TheOriginalMonitorsPayloadIsStoredWithItsValues) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t time_ms = NowMs() - 2000;
  const Reply r = Post(*server, MonitorSuccess(PythonUtcIso(time_ms, 456)));
  ASSERT_EQ(r.status, 200) << r.body;
  const json receipt = Parse(r);
  EXPECT_EQ(receipt["status"], "ok");
  EXPECT_EQ(receipt["logged"], true);
  EXPECT_EQ(receipt["ignored_fields"], json::array()) << r.body;
  ASSERT_EQ(receipt["ids"].size(), 1u);

  std::map<std::string, std::string> s = StoredSample(*server, receipt["ids"][0]);
  EXPECT_EQ(std::stoll(s["time_ms"]), time_ms);  // microseconds dropped, no offset is UTC
  EXPECT_EQ(s["provider"], "ollama");
  EXPECT_EQ(s["model"], "mistral");
  EXPECT_EQ(std::stod(s["e2e_ms"]), 1834.217);
  EXPECT_EQ(std::stod(s["tokens_per_s"]), 22.32);
  EXPECT_EQ(s["error"], "0");
  EXPECT_EQ(std::stod(s["total_duration_ms"]), 1829.904);
  EXPECT_EQ(std::stod(s["load_duration_ms"]), 12.337);
  EXPECT_EQ(std::stod(s["prompt_eval_duration_ms"]), 95.112);
  EXPECT_EQ(std::stod(s["eval_duration_ms"]), 1702.45);
  EXPECT_EQ(s["prompt_eval_count"], "26");
  EXPECT_EQ(s["eval_count"], "38");
  EXPECT_EQ(std::stod(s["cpu_percent"]), 12.7);
  EXPECT_EQ(std::stod(s["memory_percent"]), 48.31);
  EXPECT_EQ(std::stod(s["gpu_percent"]), 87);
  EXPECT_EQ(std::stod(s["gpu_memory_percent"]), 61.05);
  EXPECT_EQ(s["prompt_hash"], kPromptHash);
  EXPECT_EQ(s["prompt_text IS NULL"], "1") << "prompt text is stored only when turned on";

  // isoformat() leaves the fraction out on a whole second.
  const int64_t whole_second = (NowMs() / 1000 - 1) * 1000;
  const int64_t id = PostOne(*server, MonitorSuccess(PythonUtcIso(whole_second, 0)));
  EXPECT_EQ(std::stoll(StoredSample(*server, id)["time_ms"]), whole_second);

  // The chart of the original's query sees both calls.
  const Reply spc = server->Call("GET", "/api/stats/spc?provider=ollama&model=mistral");
  ASSERT_EQ(spc.status, 200) << spc.body;
  EXPECT_EQ(Parse(spc)["values"], json::array({1834.217, 1834.217}));
}

TEST(IngestCompatTest, SuccessFalseIsStoredAsAFailedCall) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const json failure = MonitorFailure(PythonUtcIso(NowMs() - 1000, 789));
  const int64_t id = PostOne(*server, failure);
  std::map<std::string, std::string> s = StoredSample(*server, id);
  EXPECT_EQ(s["error"], "1");
  EXPECT_EQ(s["error_message"], failure["error_message"]);
  EXPECT_EQ(std::stod(s["e2e_ms"]), 3.871);  // kept, but it feeds no latency chart
  EXPECT_EQ(std::stod(s["cpu_percent"]), 3.1);

  // "success" and "error" may both be sent when they agree, and are refused when they do not.
  json agreeing = failure;
  agreeing["error"] = true;
  EXPECT_GT(PostOne(*server, agreeing), 0);
  json contradicting = failure;
  contradicting["error"] = false;
  ExpectRefused(Post(*server, contradicting), "invalid_field", {"success", "error"});
  EXPECT_EQ(StoredCount(*server), 2);
}

TEST(IngestCompatTest, UnknownFieldsAreIgnoredAndNamedInTheReply) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  json a = MonitorSuccess(PythonUtcIso(NowMs() - 1000, 1));
  a["endpoint"] = "/api/generate";
  a["metadata"] = json{{"run", 7}};
  json b = a;
  b.erase("metadata");
  b["zz_extra"] = nullptr;
  const Reply r = Post(*server, json{{"samples", {a, b}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json receipt = Parse(r);
  EXPECT_EQ(receipt["count"], 2);
  EXPECT_EQ(receipt["ignored_fields"], json::array({"endpoint", "metadata", "zz_extra"}));
  EXPECT_EQ(StoredCount(*server), 2);

  // A known field beside them is still checked.
  a["latency_ms"] = "fast";
  ExpectRefused(Post(*server, a), "invalid_field", {"latency_ms"});
  EXPECT_EQ(StoredCount(*server), 2);
}

TEST(IngestCompatTest, ACallWithNoMeasurementIsRefused) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  json empty = MonitorSuccess(PythonUtcIso(NowMs() - 1000, 1));
  empty.erase("latency_ms");
  empty.erase("tokens_per_second");
  ExpectRefused(Post(*server, empty), "missing_field",
                {"no measurement", "latency_ms", "ttft_ms", "tokens_per_s", "cost_usd", "error"});
  json misspelt = {{"provider", "ollama"}, {"model", "mistral"}, {"latency", 1834.2}};
  ExpectRefused(Post(*server, misspelt), "missing_field", {"no measurement"});
  ExpectRefused(Post(*server, json{{"samples", {MonitorSuccess(PythonUtcIso(NowMs(), 0)), empty}}}),
                "missing_field", {"samples[1]: no measurement"});
  EXPECT_EQ(StoredCount(*server), 0);
}

TEST(IngestCompatTest, EachSaneBoundIsEnforced) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  struct Case {
    std::string field;
    json value;
    std::string bound;
  };
  const std::vector<Case> cases = {
      {"latency_ms", 1e300, "86400000 ([ingest] max_latency_ms)"},
      {"e2e_ms", 86400001, "86400000 ([ingest] max_latency_ms)"},
      {"ttft_ms", 9e7, "86400000 ([ingest] max_latency_ms)"},
      {"tpot_ms", 9e7, "86400000 ([ingest] max_latency_ms)"},
      {"total_duration_ms", 9e7, "86400000 ([ingest] max_latency_ms)"},
      {"load_duration_ms", 9e7, "86400000 ([ingest] max_latency_ms)"},
      {"prompt_eval_duration_ms", 9e7, "86400000 ([ingest] max_latency_ms)"},
      {"eval_duration_ms", 9e7, "86400000 ([ingest] max_latency_ms)"},
      {"tokens_per_s", 2e7, "10000000 ([ingest] max_tokens_per_s)"},
      {"tokens_per_second", 2e7, "10000000 ([ingest] max_tokens_per_s)"},
      {"prompt_efficiency", 2e7, "10000000 ([ingest] max_tokens_per_s)"},
      {"cost_usd", 10000.5, "10000 ([ingest] max_cost_usd)"},
      {"tokens_in", 1000000001, "1000000000 ([ingest] max_token_count)"},
      {"tokens_out", 1000000001, "1000000000 ([ingest] max_token_count)"},
      {"prompt_eval_count", 1000000001, "1000000000 ([ingest] max_token_count)"},
      {"eval_count", 1000000001, "1000000000 ([ingest] max_token_count)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    json sample = MonitorSuccess(PythonUtcIso(NowMs() - 1000, 1));
    sample[c.field] = c.value;
    ExpectRefused(Post(*server, sample), "invalid_field",
                  {c.field + ": must be at most " + c.bound});
  }
  EXPECT_EQ(StoredCount(*server), 0);
}

TEST(IngestCompatTest, ConfiguredBoundsAndPromptTextAreHonoured) {
  TempDir dir("llmscope-ingest-config");
  const std::string config = dir.Write("llmscope.toml", R"(
[server]
store_prompt_text = true

[ingest]
max_latency_ms = 60000
max_cost_usd = 0.25
)");
  ServerOptions options;
  options.extra_args = {"--config", config};
  options.env = {{"LLMSCOPE_INGEST_MAX_TOKEN_COUNT", "4096"}};
  auto server = StartServer(LLMSCOPE_BINARY, options);
  ASSERT_TRUE(server);
  json sample = MonitorSuccess(PythonUtcIso(NowMs() - 1000, 1));
  sample["latency_ms"] = 60000.5;
  ExpectRefused(Post(*server, sample), "invalid_field",
                {"latency_ms: must be at most 60000 ([ingest] max_latency_ms)"});
  sample["latency_ms"] = 60000;
  sample["cost_usd"] = 0.3;
  ExpectRefused(Post(*server, sample), "invalid_field", {"cost_usd: must be at most 0.25"});
  sample["cost_usd"] = 0.25;
  sample["eval_count"] = 4097;
  ExpectRefused(Post(*server, sample), "invalid_field", {"eval_count: must be at most 4096"});
  sample["eval_count"] = 4096;
  const int64_t id = PostOne(*server, sample);
  EXPECT_EQ(StoredCount(*server), 1);
  SqliteFile db(server->db_path());
  EXPECT_EQ(db.Rows("SELECT prompt_text FROM samples WHERE id = " + std::to_string(id)),
            (std::vector<std::vector<std::string>>{{kPrompt}}));
}

TEST(IngestCompatTest, ABadBoundInTheConfigStopsTheStart) {
  ServerOptions options;
  options.binary = LLMSCOPE_BINARY;
  options.env = {{"LLMSCOPE_INGEST_MAX_LATENCY_MS", "0"}};
  ServerProcess server(options);
  std::string error;
  EXPECT_FALSE(server.Start(&error));
  EXPECT_NE(error.find("ingest.max_latency_ms: must be > 0"), std::string::npos) << error;
}

}  // namespace

namespace {

// The original's own query, GET /api/stats/spc?provider=X&model=Y, finds every series of that
// provider and model: the built-in probe stores a profile ("short"), which the original never
// sent. Several series: their points merged in time order and their list; one (or a site and a
// profile given): its chart.
TEST(IngestCompatTest, TheOriginalsQueryByProviderAndModelCoversEveryProfile) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t t0 = NowMs() - 600000;
  json batch = json::array();
  for (int i = 0; i < 30; ++i) {
    batch.push_back(json{{"provider", "ollama"}, {"model", "llama3"}, {"profile", "short"},
                         {"timestamp", PythonUtcIso(t0 + i * 2000, 0)},
                         {"latency_ms", 1000 + i}});
    batch.push_back(json{{"provider", "ollama"}, {"model", "llama3"}, {"profile", "long"},
                         {"timestamp", PythonUtcIso(t0 + i * 2000 + 1000, 0)},
                         {"latency_ms", 5000 + i}});
  }
  ASSERT_EQ(Post(*server, json{{"samples", batch}}).status, 200);

  const json both = Parse(server->Call("GET", "/api/stats/spc?provider=ollama&model=llama3"));
  ASSERT_EQ(both["values"].size(), 60u) << both.dump().substr(0, 300);
  EXPECT_EQ(both["values"][0], 1000.0);  // merged in time order: short, long, short, ...
  EXPECT_EQ(both["values"][1], 5000.0);
  EXPECT_EQ(both["values"][59], 5029.0);
  EXPECT_EQ(both["chart"]["state"], "several_series");
  ASSERT_EQ(both["chart"]["series"].size(), 2u);
  std::vector<std::string> profiles;
  for (const json& s : both["chart"]["series"]) profiles.push_back(s["profile"]);
  std::sort(profiles.begin(), profiles.end());
  EXPECT_EQ(profiles, (std::vector<std::string>{"long", "short"}));

  const json one =
      Parse(server->Call("GET", "/api/stats/spc?provider=ollama&model=llama3&profile=long"));
  ASSERT_EQ(one["values"].size(), 30u);
  EXPECT_EQ(one["values"][0], 5000.0);
  EXPECT_EQ(one["chart"]["state"], "learning");  // one series: its chart
  const json none = Parse(server->Call("GET", "/api/stats/spc?provider=ollama&model=other"));
  EXPECT_EQ(none["values"].size(), 0u);
}

}  // namespace

// GET /api/samples/{id} end to end over real sockets on 127.0.0.1 against a child `llmscope
// serve` and its SQLite file: a stored sample comes back with the fields ingest took (the
// original monitor's payload: Ollama durations and counts, telemetry, prompt hash) under the
// names the stream and the samples export use; prompt text only when the config stores it; 404
// for an id no sample has, 400 for one that is no positive integer, 401 without the key.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time_format.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace {

using llmscope::testing::Auth;
using llmscope::testing::Reply;
using llmscope::testing::ServerOptions;
using llmscope::testing::StartServer;
using llmscope::testing::TempDir;
using nlohmann::json;

// An hour ago, at .250 s: inside any retention period. A fixed date months back was deleted now
// and then by the start's retention pass, which may run after the test's first request.
const std::string& Timestamp() {
  static const std::string kTime = llmscope::FormatIsoUtc(
      (std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
           .count() -
       3'600'000) /
          1000 * 1000 +
      250);
  return kTime;
}

json Parse(const Reply& r) {
  return json::parse(r.body, nullptr, false);
}

// The original monitor's payload of a successful Ollama call, with LLMscope's own fields.
json OllamaSample() {
  return json{{"provider", "ollama"},
              {"model", "mistral"},
              {"site", "lab"},
              {"profile", "short"},
              {"latency_ms", 1834.5},
              {"ttft_ms", 120.25},
              {"timestamp", Timestamp()},
              {"total_duration_ms", 1829.9},
              {"load_duration_ms", 12.5},
              {"prompt_eval_duration_ms", 95.125},
              {"eval_duration_ms", 1702.5},
              {"prompt_eval_count", 26},
              {"eval_count", 38},
              {"tokens_per_second", 22.32},
              {"cost_usd", 0.0015},
              {"tokens_in", 26},
              {"tokens_out", 38},
              {"cpu_percent", 12.5},
              {"memory_percent", 48.25},
              {"gpu_percent", 77},
              {"gpu_memory_percent", 31.5},
              {"gpu_temp_c", 64},
              {"prompt_hash", "2a645e50"},
              {"prompt_text", "Write one sentence explaining what LLMscope does."}};
}

int64_t PostOne(const llmscope::testing::ServerProcess& s, const json& sample) {
  const Reply r = s.Call("POST", "/api/stats", sample.dump());
  EXPECT_EQ(r.status, 200) << r.body << r.transport_error;
  const json j = Parse(r);
  return r.status == 200 ? j["ids"][0].get<int64_t>() : 0;
}

void ExpectError(const Reply& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body << r.transport_error;
  const json j = Parse(r);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["code"], code) << r.body;
}

TEST(SampleRouteTest, AStoredSampleComesBackWithItsFields) {
  TempDir dir("llmscope-sample-route");
  ServerOptions options;
  options.extra_args = {"--config",
                        dir.Write("llmscope.toml", "[server]\nstore_prompt_text = true\n")};
  auto server = StartServer(LLMSCOPE_BINARY, options);
  ASSERT_TRUE(server);
  const int64_t id = PostOne(*server, OllamaSample());
  json failed = {{"provider", "ollama"},
                 {"model", "mistral"},
                 {"success", false},
                 {"error_kind", "timeout"},
                 {"error_message", "no reply in 30 s"}};
  const int64_t failed_id = PostOne(*server, failed);

  const Reply r = server->Call("GET", "/api/samples/" + std::to_string(id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("Content-Type").find("application/json"), std::string::npos);
  const json s = Parse(r);
  EXPECT_EQ(s["id"], id);
  EXPECT_EQ(s["timestamp"], Timestamp());
  // Each field as sent, under the names the stream and the export use; the timestamp as stored.
  json expected = OllamaSample();
  expected["e2e_ms"] = expected["latency_ms"];
  expected["tokens_per_s"] = expected["tokens_per_second"];
  expected["error"] = false;
  for (const char* sent_only : {"latency_ms", "tokens_per_second", "timestamp"}) {
    expected.erase(sent_only);
  }
  for (const auto& [field, value] : expected.items()) {
    EXPECT_EQ(s[field], value) << field;
  }
  EXPECT_TRUE(s["tpot_ms"].is_null()) << "not measured: null";

  const json f = Parse(server->Call("GET", "/api/samples/" + std::to_string(failed_id)));
  EXPECT_EQ(f["error"], true) << f;
  EXPECT_EQ(f["error_kind"], "timeout");
  EXPECT_EQ(f["error_message"], "no reply in 30 s");
  EXPECT_FALSE(f.contains("prompt_text")) << "none was sent";

  ExpectError(server->Call("GET", "/api/samples/" + std::to_string(failed_id + 1)), 404,
              "not_found");
  ExpectError(server->Call("GET", "/api/samples/999999999999"), 404, "not_found");
  for (const char* bad : {"0", "-1", "abc", "1.5", "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    ExpectError(server->Call("GET", std::string("/api/samples/") + bad), 400, "invalid_parameter");
  }
  ExpectError(server->Call("GET", "/api/samples/" + std::to_string(id), "", Auth::kNone), 401,
              "unauthorized");
}

TEST(SampleRouteTest, PromptTextIsShownOnlyWhenStored) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t id = PostOne(*server, OllamaSample());
  const json s = Parse(server->Call("GET", "/api/samples/" + std::to_string(id)));
  EXPECT_EQ(s["prompt_hash"], "2a645e50");
  EXPECT_FALSE(s.contains("prompt_text")) << s;
}

}  // namespace

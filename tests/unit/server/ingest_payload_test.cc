// POST /api/stats bodies (server/ingest_payload.h): the original LLMscope monitor's payload is
// taken unchanged; batches are all or nothing; every bad field is refused with its path.
#include <gtest/gtest.h>

#include "server/ingest_payload.h"

namespace llmscope::server {
namespace {

constexpr int64_t kNow = 1795446245000;  // 2026-11-23T15:04:05Z

Result<std::vector<Sample>> Parse(const std::string& body) { return ParseIngestBody(body, kNow); }

void ExpectRefused(const std::string& body, const std::string& code, const std::string& where) {
  Result<std::vector<Sample>> r = Parse(body);
  ASSERT_FALSE(r.ok()) << body;
  EXPECT_EQ(r.error().code, code) << body << " → " << r.error().message;
  EXPECT_NE(r.error().message.find(where), std::string::npos)
      << body << " → " << r.error().message;
}

TEST(IngestPayload, TakesTheOriginalMonitorPayloadUnchanged) {
  Result<std::vector<Sample>> r = Parse(R"({
    "provider": "ollama", "model": "llama3", "latency_ms": 2034.5,
    "timestamp": "2026-11-23T15:00:00.250000",
    "total_duration_ms": 2029.5, "load_duration_ms": 50.2, "prompt_eval_duration_ms": 100.3,
    "eval_duration_ms": 1874.5, "prompt_eval_count": 26, "eval_count": 42,
    "cpu_percent": 35.2, "memory_percent": 45.6, "gpu_percent": 78.5, "gpu_memory_percent": 62.3,
    "prompt_hash": "a1b2c3d4", "prompt_text": "Write one sentence."})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  const Sample& s = (*r)[0];
  EXPECT_EQ(s.source.provider, "ollama");
  EXPECT_EQ(s.source.model, "llama3");
  EXPECT_EQ(s.e2e_ms, 2034.5);  // latency_ms is stored as e2e_ms
  EXPECT_EQ(s.time_ms, kNow - 245000 + 250);
  EXPECT_EQ(s.total_duration_ms, 2029.5);
  EXPECT_EQ(s.load_duration_ms, 50.2);
  EXPECT_EQ(s.prompt_eval_duration_ms, 100.3);
  EXPECT_EQ(s.eval_duration_ms, 1874.5);
  EXPECT_EQ(s.prompt_eval_count, 26);
  EXPECT_EQ(s.eval_count, 42);
  EXPECT_EQ(s.telemetry.cpu_percent, 35.2);
  EXPECT_EQ(s.telemetry.memory_percent, 45.6);
  EXPECT_EQ(s.telemetry.gpu_percent, 78.5);
  EXPECT_EQ(s.telemetry.gpu_memory_percent, 62.3);
  EXPECT_EQ(s.prompt_hash, "a1b2c3d4");
  EXPECT_EQ(s.prompt_text, "Write one sentence.");
  EXPECT_FALSE(s.ttft_ms.has_value());
  EXPECT_FALSE(s.error);
}

TEST(IngestPayload, DefaultsAndNulls) {
  Result<std::vector<Sample>> r =
      Parse(R"({"provider":"openai","model":"gpt-4o","ttft_ms":null,"e2e_ms":900})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].time_ms, kNow);  // no timestamp: now
  EXPECT_FALSE((*r)[0].ttft_ms.has_value());
  EXPECT_EQ((*r)[0].e2e_ms, 900);
}

TEST(IngestPayload, FailedCallsAndOwnFields) {
  Result<std::vector<Sample>> r = Parse(
      R"({"provider":"anthropic","model":"claude","site":"eu","profile":"long","error":true,
          "error_kind":"timeout","error_message":"no answer in 30 s","tokens_in":12,
          "tokens_out":0,"cost_usd":0,"gpu_temp_c":61})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Sample& s = (*r)[0];
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "timeout");
  EXPECT_EQ(s.source.site, "eu");
  EXPECT_EQ(s.source.profile, "long");
  EXPECT_EQ(s.tokens_in, 12);
  EXPECT_EQ(s.telemetry.gpu_temp_c, 61);
}

TEST(IngestPayload, BatchIsAllOrNothingAndNamesTheItem) {
  Result<std::vector<Sample>> ok = Parse(
      R"({"samples":[{"provider":"a","model":"m","latency_ms":1},
                     {"provider":"a","model":"m","latency_ms":2}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  ExpectRefused(R"({"samples":[{"provider":"a","model":"m","latency_ms":1},
                               {"provider":"a","model":"m","latency_ms":-2}]})",
                "invalid_field", "samples[1].latency_ms");
  ExpectRefused(R"({"samples":[]})", "invalid_field", "samples");
  ExpectRefused(R"({"samples":{}})", "invalid_field", "samples");
  ExpectRefused(R"({"samples":[],"extra":1})", "unknown_field", "samples");
}

TEST(IngestPayload, RefusesEachBadField) {
  ExpectRefused("", "invalid_json", "JSON");
  ExpectRefused("{\"provider\":", "invalid_json", "JSON");
  ExpectRefused("[1,2]", "invalid_field", "object");
  ExpectRefused("{\"provider\":\"\xff\xfe\",\"model\":\"m\"}", "invalid_json", "UTF-8");
  ExpectRefused(R"({"model":"m","latency_ms":1})", "missing_field", "provider");
  ExpectRefused(R"({"provider":"p","latency_ms":1})", "missing_field", "model");
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":"12"})", "invalid_field", "latency_ms");
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":-1})", "invalid_field", "latency_ms");
  // A number beyond double's range is refused by the JSON parser itself.
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":1e999})", "invalid_json",
                "number overflow");
  ExpectRefused(R"({"provider":"p","model":"m","cpu_percent":101})", "invalid_field",
                "cpu_percent");
  ExpectRefused(R"({"provider":"p","model":"m","eval_count":1.5})", "invalid_field", "eval_count");
  ExpectRefused(R"({"provider":"p","model":"m","eval_count":-3})", "invalid_field", "eval_count");
  ExpectRefused(R"({"provider":"p","model":"m","latnecy_ms":1})", "unknown_field", "latnecy_ms");
  ExpectRefused(R"({"provider":"p","model":"m","timestamp":"soon"})", "invalid_field",
                "timestamp");
  ExpectRefused(R"({"provider":"p","model":"m","timestamp":"2027-01-01T00:00:00Z"})",
                "invalid_field", "future");
  ExpectRefused(R"({"provider":7,"model":"m"})", "invalid_field", "provider");
  ExpectRefused(R"({"provider":"a\u0001b","model":"m"})", "invalid_field", "control");
  ExpectRefused(R"({"provider":"p","model":"m","error":"yes"})", "invalid_field", "error");
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":5,"e2e_ms":6})", "invalid_field",
                "latency_ms");
  ExpectRefused(R"({"provider":")" + std::string(201, 'x') + R"(","model":"m"})", "invalid_field",
                "provider");
}

TEST(IngestPayload, IngestKeyIsOptionalAndValidated) {
  Result<std::vector<Sample>> r = Parse(
      R"({"samples":[{"provider":"p","model":"m","ingest_key":"probe-7f3a:1:0"},
                     {"provider":"p","model":"m"},
                     {"provider":"p","model":"m","ingest_key":null}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].ingest_key, std::optional<std::string>("probe-7f3a:1:0"));
  EXPECT_FALSE((*r)[1].ingest_key.has_value());
  EXPECT_FALSE((*r)[2].ingest_key.has_value());
  const std::string longest(kMaxIngestKeyBytes, '~');
  r = Parse(R"({"provider":"p","model":"m","ingest_key":")" + longest + R"("})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0].ingest_key, std::optional<std::string>(longest));

  auto keyed = [](const std::string& key_json) {
    return R"({"samples":[{"provider":"p","model":"m"},{"provider":"p","model":"m","ingest_key":)" +
           key_json + "}]}";
  };
  ExpectRefused(keyed(R"("")"), "invalid_field", "samples[1].ingest_key: must not be empty");
  ExpectRefused(keyed(R"(")" + std::string(kMaxIngestKeyBytes + 1, 'k') + R"(")"), "invalid_field",
                "samples[1].ingest_key: is longer than 128 bytes");
  ExpectRefused(keyed(R"("a\u0001b")"), "invalid_field",
                "samples[1].ingest_key: must be printable");
  ExpectRefused(keyed(R"("tab\there")"), "invalid_field",
                "samples[1].ingest_key: must be printable");
  ExpectRefused(keyed(R"("caf\u00e9")"), "invalid_field",
                "samples[1].ingest_key: must be printable");
  ExpectRefused(keyed("42"), "invalid_field", "samples[1].ingest_key: must be a string");
}

TEST(IngestPayload, BatchSizeIsBounded) {
  std::string body = R"({"samples":[)";
  for (int i = 0; i < 11; ++i) body += std::string(i ? "," : "") + R"({"provider":"p","model":"m"})";
  body += "]}";
  IngestLimits limits;
  limits.max_batch = 10;
  Result<std::vector<Sample>> r = ParseIngestBody(body, kNow, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "batch_too_large");
}

TEST(IngestPayload, PromptTextCanBeLeftOut) {
  IngestLimits limits;
  limits.store_prompt_text = false;
  Result<std::vector<Sample>> r =
      ParseIngestBody(R"({"provider":"p","model":"m","prompt_text":"secret"})", kNow, limits);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE((*r)[0].prompt_text.has_value());
}

}  // namespace
}  // namespace llmscope::server

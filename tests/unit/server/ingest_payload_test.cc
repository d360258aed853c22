// POST /api/stats bodies (server/ingest_payload.h): the original LLMscope monitor's payload is
// taken unchanged (success: false is a failed call); batches are all or nothing; unknown keys are
// ignored and named; every bad field, a value beyond a sane bound and a call that measured
// nothing are refused with their path.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "server/ingest_payload.h"

namespace llmscope::server {
namespace {

constexpr int64_t kNow = 1795446245000;  // 2026-11-23T15:04:05Z

Result<IngestBody> Parse(const std::string& body, const IngestLimits& limits = {}) {
  return ParseIngestBody(body, kNow, limits);
}

void ExpectRefused(const std::string& body, const std::string& code, const std::string& where,
                   const IngestLimits& limits = {}) {
  Result<IngestBody> r = Parse(body, limits);
  ASSERT_FALSE(r.ok()) << body;
  EXPECT_EQ(r.error().code, code) << body << " → " << r.error().message;
  EXPECT_NE(r.error().message.find(where), std::string::npos)
      << body << " → " << r.error().message;
}

IngestLimits WithPromptText() {
  IngestLimits limits;
  limits.store_prompt_text = true;
  return limits;
}

TEST(IngestPayload, TakesTheOriginalMonitorPayloadUnchanged) {
  Result<IngestBody> r = Parse(R"({
    "provider": "ollama", "model": "llama3", "latency_ms": 2034.5,
    "timestamp": "2026-11-23T15:00:00.250000", "success": true,
    "total_duration_ms": 2029.5, "load_duration_ms": 50.2, "prompt_eval_duration_ms": 100.3,
    "eval_duration_ms": 1874.5, "prompt_eval_count": 26, "eval_count": 42,
    "tokens_per_second": 22.41, "prompt_efficiency": 259.22,
    "cpu_percent": 35.2, "memory_percent": 45.6, "gpu_percent": 78.5, "gpu_memory_percent": 62.3,
    "prompt_hash": "a1b2c3d4", "prompt_text": "Write one sentence."})",
                               WithPromptText());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->ignored_fields.empty());
  ASSERT_EQ(r->samples.size(), 1u);
  const Sample& s = r->samples[0];
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
  EXPECT_EQ(s.tokens_per_s, 22.41);  // tokens_per_second is stored as tokens_per_s
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
  Result<IngestBody> r =
      Parse(R"({"provider":"openai","model":"gpt-4o","ttft_ms":null,"e2e_ms":900})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples[0].time_ms, kNow);  // no timestamp: now
  EXPECT_FALSE(r->samples[0].ttft_ms.has_value());
  EXPECT_EQ(r->samples[0].e2e_ms, 900);
}

TEST(IngestPayload, FailedCallsAndOwnFields) {
  Result<IngestBody> r = Parse(
      R"({"provider":"anthropic","model":"claude","site":"eu","profile":"long","error":true,
          "error_kind":"timeout","error_message":"no answer in 30 s","tokens_in":12,
          "tokens_out":0,"cost_usd":0,"gpu_temp_c":61})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Sample& s = r->samples[0];
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "timeout");
  EXPECT_EQ(s.source.site, "eu");
  EXPECT_EQ(s.source.profile, "long");
  EXPECT_EQ(s.tokens_in, 12);
  EXPECT_EQ(s.telemetry.gpu_temp_c, 61);
}

TEST(IngestPayload, BatchIsAllOrNothingAndNamesTheItem) {
  Result<IngestBody> ok = Parse(
      R"({"samples":[{"provider":"a","model":"m","latency_ms":1},
                     {"provider":"a","model":"m","latency_ms":2}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->samples.size(), 2u);
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
  ExpectRefused(R"({"provider":"p","model":"m","timestamp":"soon"})", "invalid_field",
                "timestamp");
  ExpectRefused(R"({"provider":"p","model":"m","timestamp":"2027-01-01T00:00:00Z"})",
                "invalid_field", "future");
  ExpectRefused(R"({"provider":7,"model":"m"})", "invalid_field", "provider");
  ExpectRefused(R"({"provider":"a\u0001b","model":"m"})", "invalid_field", "control");
  ExpectRefused(R"({"provider":"p","model":"m","error":"yes"})", "invalid_field", "error");
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":5,"e2e_ms":6})", "invalid_field",
                "latency_ms");
  ExpectRefused(R"({"provider":"p","model":"m","tokens_per_second":5,"tokens_per_s":6})",
                "invalid_field", "tokens_per_second: differs from tokens_per_s");
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":1,"success":"yes"})", "invalid_field",
                "success");
  ExpectRefused(R"({"provider":")" + std::string(201, 'x') + R"(","model":"m"})", "invalid_field",
                "provider");
}

TEST(IngestPayload, IngestKeyIsOptionalAndValidated) {
  Result<IngestBody> r = Parse(
      R"({"samples":[{"provider":"p","model":"m","e2e_ms":1,"ingest_key":"probe-7f3a:1:0"},
                     {"provider":"p","model":"m","e2e_ms":1},
                     {"provider":"p","model":"m","e2e_ms":1,"ingest_key":null}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples[0].ingest_key, std::optional<std::string>("probe-7f3a:1:0"));
  EXPECT_FALSE(r->samples[1].ingest_key.has_value());
  EXPECT_FALSE(r->samples[2].ingest_key.has_value());
  const std::string longest(kMaxIngestKeyBytes, '~');
  r = Parse(R"({"provider":"p","model":"m","e2e_ms":1,"ingest_key":")" + longest + R"("})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples[0].ingest_key, std::optional<std::string>(longest));

  auto keyed = [](const std::string& key_json) {
    return R"({"samples":[{"provider":"p","model":"m","e2e_ms":1},)"
           R"({"provider":"p","model":"m","e2e_ms":1,"ingest_key":)" +
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
  Result<IngestBody> r = ParseIngestBody(body, kNow, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "batch_too_large");
}

TEST(IngestPayload, PromptTextIsKeptOnlyWhenTurnedOn) {
  const std::string body = R"({"provider":"p","model":"m","e2e_ms":1,"prompt_text":"secret"})";
  Result<IngestBody> r = Parse(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->samples[0].prompt_text.has_value());
  r = Parse(body, WithPromptText());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples[0].prompt_text, "secret");
}

TEST(IngestPayload, SuccessFalseIsAFailedCall) {
  Result<IngestBody> r = Parse(R"({"provider":"ollama","model":"llama3","latency_ms":120001.5,
      "success":false,"error_message":"Cannot connect to host localhost:11434"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->samples[0].error);
  EXPECT_EQ(r->samples[0].error_message, "Cannot connect to host localhost:11434");
  r = Parse(R"({"provider":"p","model":"m","e2e_ms":1,"success":true,"error":false})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->samples[0].error);
  r = Parse(R"({"provider":"p","model":"m","success":false,"error":true})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->samples[0].error);
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":1,"success":true,"error":true})",
                "invalid_field", "success: contradicts error");
  ExpectRefused(R"({"samples":[{"provider":"p","model":"m","success":false,"error":false}]})",
                "invalid_field", "samples[0].success: contradicts error");
}

TEST(IngestPayload, UnknownFieldsAreIgnoredAndNamedOnceInOrder) {
  Result<IngestBody> r = Parse(
      R"({"samples":[{"provider":"p","model":"m","e2e_ms":1,"zeta":1,"endpoint":"/x"},
                     {"provider":"p","model":"m","e2e_ms":2,"metadata":{"a":[1]},"zeta":null}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples.size(), 2u);
  EXPECT_EQ(r->ignored_fields, (std::vector<std::string>{"endpoint", "metadata", "zeta"}));
  // Known fields are still checked where unknown ones sit beside them.
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":"1","zeta":1})", "invalid_field",
                "e2e_ms");
}

TEST(IngestPayload, ACallThatDidNotFailMustMeasureSomething) {
  for (const char* metric : {"latency_ms", "e2e_ms", "ttft_ms", "tpot_ms", "tokens_per_s",
                             "tokens_per_second", "cost_usd"}) {
    Result<IngestBody> r =
        Parse(std::string(R"({"provider":"p","model":"m",")") + metric + R"(":0})");
    EXPECT_TRUE(r.ok()) << metric << ": " << r.error().message;
  }
  ExpectRefused(R"({"provider":"p","model":"m"})", "missing_field", "no measurement");
  // A misspelt metric is ignored, and so leaves no measurement.
  ExpectRefused(R"({"provider":"p","model":"m","latnecy_ms":1})", "missing_field",
                "no measurement: send latency_ms (or e2e_ms)");
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":null,"total_duration_ms":5,
                    "eval_count":3,"cpu_percent":20})",
                "missing_field", "no measurement");
  ExpectRefused(R"({"samples":[{"provider":"p","model":"m","e2e_ms":1},
                               {"provider":"p","model":"m","success":true}]})",
                "missing_field", "samples[1]: no measurement");
  EXPECT_TRUE(Parse(R"({"provider":"p","model":"m","error":true})").ok());
}

TEST(IngestPayload, ValuesBeyondTheSaneBoundsAreRefused) {
  struct Case {
    const char* field;
    const char* value;
    const char* message;
  };
  for (const Case& c : {
           Case{"latency_ms", "1e300",
                "latency_ms: must be at most 86400000 ([ingest] max_latency_ms)"},
           Case{"e2e_ms", "86400000.5", "e2e_ms: must be at most 86400000"},
           Case{"ttft_ms", "9e7", "ttft_ms: must be at most 86400000"},
           Case{"tpot_ms", "9e7", "tpot_ms: must be at most 86400000"},
           Case{"total_duration_ms", "9e7", "total_duration_ms: must be at most 86400000"},
           Case{"load_duration_ms", "9e7", "load_duration_ms: must be at most 86400000"},
           Case{"prompt_eval_duration_ms", "9e7", "prompt_eval_duration_ms: must be at most"},
           Case{"eval_duration_ms", "9e7", "eval_duration_ms: must be at most 86400000"},
           Case{"tokens_per_s", "1.5e7",
                "tokens_per_s: must be at most 10000000 ([ingest] max_tokens_per_s)"},
           Case{"tokens_per_second", "1.5e7", "tokens_per_second: must be at most 10000000"},
           Case{"prompt_efficiency", "1.5e7", "prompt_efficiency: must be at most 10000000"},
           Case{"cost_usd", "10000.01", "cost_usd: must be at most 10000 ([ingest] max_cost_usd)"},
           Case{"tokens_in", "1000000001",
                "tokens_in: must be at most 1000000000 ([ingest] max_token_count)"},
           Case{"tokens_out", "1000000001", "tokens_out: must be at most 1000000000"},
           Case{"prompt_eval_count", "1000000001", "prompt_eval_count: must be at most 1000000000"},
           Case{"eval_count", "18446744073709551615", "eval_count: must be at most 1000000000"},
       }) {
    ExpectRefused(std::string(R"({"provider":"p","model":"m","error":true,")") + c.field + R"(":)" +
                      c.value + "}",
                  "invalid_field", c.message);
  }
  // The bounds themselves are accepted.
  Result<IngestBody> r = Parse(
      R"({"provider":"p","model":"m","latency_ms":86400000,"ttft_ms":86400000,"tokens_per_s":1e7,
          "cost_usd":10000,"tokens_in":1000000000,"eval_duration_ms":86400000})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples[0].e2e_ms, 86400000);
}

TEST(IngestPayload, TheBoundsAreThoseGiven) {
  IngestLimits limits;
  limits.max_latency_ms = 60000;
  limits.max_tokens_per_s = 500;
  limits.max_cost_usd = 0.5;
  limits.max_token_count = 4096;
  ExpectRefused(R"({"provider":"p","model":"m","latency_ms":60000.5})", "invalid_field",
                "latency_ms: must be at most 60000 ([ingest] max_latency_ms)", limits);
  ExpectRefused(R"({"provider":"p","model":"m","tokens_per_s":501})", "invalid_field",
                "tokens_per_s: must be at most 500", limits);
  ExpectRefused(R"({"provider":"p","model":"m","cost_usd":0.75})", "invalid_field",
                "cost_usd: must be at most 0.5", limits);
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":1,"tokens_out":4097})", "invalid_field",
                "tokens_out: must be at most 4096", limits);
  EXPECT_TRUE(
      Parse(R"({"provider":"p","model":"m","latency_ms":60000,"tokens_out":4096})", limits).ok());
}

// What the JSON parser accepts and how a body's keys are read: the same as when bodies were read
// into nlohmann's tree (sorted keys, the last of a repeated key), whatever parses them.
TEST(IngestPayload, ReadsJsonAsBefore) {
  // A key sent twice counts once, with its last value; an invalid first value is not seen.
  Result<IngestBody> r = Parse(R"({"provider":"p","model":"m","e2e_ms":"bad","e2e_ms":5})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples[0].e2e_ms, 5);
  r = Parse(R"({"provider":"p","model":"m","e2e_ms":5,"ttft_ms":3,"ttft_ms":null})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->samples[0].ttft_ms.has_value());
  r = Parse(R"({"samples":[{"provider":"p","model":"m","e2e_ms":1}],
                "samples":[{"provider":"q","model":"m","e2e_ms":2},
                           {"provider":"q","model":"m","e2e_ms":3}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->samples.size(), 2u);
  EXPECT_EQ(r->samples[0].source.provider, "q");
  // Of several bad fields, the first in key order is named, wherever it stands in the body.
  ExpectRefused(R"({"ttft_ms":-1,"provider":"p","model":"m","cpu_percent":200})", "invalid_field",
                "cpu_percent: must be within [0, 100]");
  ExpectRefused(R"({"samples":[{"tpot_ms":"x","error":"y","provider":"p","model":"m"}]})",
                "invalid_field", "samples[0].error: must be true or false");
  // An integer beyond 64 bits is a number (a double), never a whole count.
  r = Parse(R"({"provider":"p","model":"m","e2e_ms":5,"cpu_percent":0,
                "zeta":100000000000000000000000000000})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->ignored_fields, (std::vector<std::string>{"zeta"}));
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":100000000000000000000000000000})",
                "invalid_field", "e2e_ms: must be at most 86400000");
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":1,"eval_count":18446744073709551616})",
                "invalid_field", "eval_count: must be a whole number >= 0");
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":1,"eval_count":2e3})", "invalid_field",
                "eval_count: must be a whole number >= 0");
  EXPECT_TRUE(Parse(R"({"provider":"p","model":"m","e2e_ms":1,"eval_count":-0,"error":0})").ok());
  // A byte order mark before the body, and deep nesting in an ignored field, are accepted.
  EXPECT_TRUE(Parse("\xef\xbb\xbf{\"provider\":\"p\",\"model\":\"m\",\"e2e_ms\":1}").ok());
  r = Parse(R"({"provider":"p","model":"m","e2e_ms":1,"deep":)" + std::string(3000, '[') +
            std::string(3000, ']') + "}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->ignored_fields, (std::vector<std::string>{"deep"}));
  // Escapes are read; a lone surrogate, a raw control character, text after the body and a
  // number that is no JSON number are refused as JSON, with what the parser expected.
  r = Parse(R"({"provider":"caf\u00e9 \ud83d\ude00","model":"m\"1\"","e2e_ms":1})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->samples[0].source.provider, "caf\xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(r->samples[0].source.model, "m\"1\"");
  ExpectRefused(R"({"provider":"\ud800","model":"m","e2e_ms":1})", "invalid_json",
                "surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF");
  ExpectRefused("{\"provider\":\"a\x01\",\"model\":\"m\",\"e2e_ms\":1}", "invalid_json",
                "control character U+0001 (SOH) must be escaped");
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":1} x)", "invalid_json",
                "line 1, column 41: syntax error while parsing value - invalid literal");
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":01})", "invalid_json",
                "unexpected number literal");
  ExpectRefused(R"({"provider":"p","model":"m","e2e_ms":1.})", "invalid_json",
                "expected digit after '.'");
}

// A batch of `n` samples of model `model` whose latencies are 1, 2, …, n.
std::string Batch(const std::string& model, int n) {
  std::string body = R"({"samples":[)";
  for (int i = 1; i <= n; ++i) {
    if (i > 1) body += ',';
    body += R"({"provider":"p","model":")" + model + R"(","latency_ms":)" + std::to_string(i) + "}";
  }
  return body + "]}";
}

// The parsers kept between bodies are shared by every handler thread: bodies of all sizes (kept
// parsers, and parsers of their own past the kept size) parsed at once from many threads each
// give their own samples.
TEST(IngestPayload, BodiesParsedAtOnceFromManyThreadsGiveTheirOwnSamples) {
  IngestLimits limits;
  limits.max_batch = 20000;
  const int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        // ~60 bytes a sample: 10 to ~1.2 MB (past the kept parsers' 256 KiB) by thread.
        const int n = t % 2 == 0 ? 10 + round : 2000 * (t + round % 3);
        const std::string model = "m" + std::to_string(t);
        Result<IngestBody> r = ParseIngestBody(Batch(model, n), kNow, limits);
        if (!r.ok() || static_cast<int>(r->samples.size()) != n ||
            r->samples.back().source.model != model || r->samples.back().e2e_ms != n) {
          ++wrong;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace llmscope::server

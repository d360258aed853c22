// The real providers (Ollama generate/chat, OpenAI, OpenAI-compatible, Anthropic), streamed and
// not, against the fake provider server on 127.0.0.1: metrics against the injected delays, token
// counts from usage, the request's shape and headers, each fault as the right error sample with
// the next call succeeding; the SSE and NDJSON parsers split at every byte; the price table.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fakes/fake_provider_server.h"
#include "probe/price_table.h"
#include "probe/providers/anthropic_provider.h"
#include "probe/providers/ollama_provider.h"
#include "probe/providers/openai_provider.h"
#include "probe/stream_parsers.h"

namespace llmscope::probe {
namespace {

using std::chrono::milliseconds;
using testing::FakeProviderServer;
using testing::Fault;
using testing::Script;

constexpr char kKeyEnv[] = "LLMSCOPE_PROVIDERS_TEST_KEY";
constexpr char kKey[] = "sk-test-0123456789";

struct Case {
  std::string name, provider, ollama_api;
  bool stream;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"OllamaGenerateStreamed", "ollama", "generate", true},
      {"OllamaGenerate", "ollama", "generate", false},
      {"OllamaChatStreamed", "ollama", "chat", true},
      {"OllamaChat", "ollama", "chat", false},
      {"OpenAiStreamed", "openai", "", true},
      {"OpenAi", "openai", "", false},
      {"OpenAiCompatibleStreamed", "openai-compatible", "", true},
      {"OpenAiCompatible", "openai-compatible", "", false},
      {"AnthropicStreamed", "anthropic", "", true},
      {"Anthropic", "anthropic", "", false},
  };
  return cases;
}

class ProviderTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    setenv(kKeyEnv, kKey, 1);
    ASSERT_TRUE(server_.Start());
    const Case& c = GetParam();
    target_.provider = c.provider;
    target_.base_url = server_.base_url();
    target_.ollama_api = c.ollama_api.empty() ? "generate" : c.ollama_api;
    target_.stream = c.stream;
    target_.site = "lab";
    target_.connect_timeout_s = 2;
    target_.first_byte_timeout_s = 5;
    target_.timeout_s = 10;
    if (c.provider == "openai") target_.model = "gpt-4o-mini";
    if (c.provider == "anthropic") target_.model = "claude-3-5-haiku-20241022";
    if (c.provider == "ollama") target_.model = "llama3.2";
    if (c.provider == "openai-compatible") target_.model = "qwen2.5";
    if (c.provider == "openai" || c.provider == "anthropic") target_.key_env = kKeyEnv;
    profile_.name = "short";
    profile_.prompt = "Say hello.";
    profile_.max_tokens = 16;
    server_.SetScript(Normal());
  }

  std::unique_ptr<Provider> Make() const {
    const PriceTable prices = PriceTable::Defaults();
    if (target_.provider == "ollama") return std::make_unique<OllamaProvider>(target_, prices);
    if (target_.provider == "anthropic") {
      return std::make_unique<AnthropicProvider>(target_, prices);
    }
    return std::make_unique<OpenAiProvider>(target_, prices);
  }

  static Script Normal() {
    Script s;
    s.first_token_delay = milliseconds(120);
    s.per_token_delay = milliseconds(30);
    s.tokens = 5;
    s.prompt_tokens = 11;
    return s;
  }

  // A call that must succeed after a fault. Its reply comes without injected delays, so the
  // short timeouts the fault tests set hold on a loaded machine or under a sanitizer too.
  void ExpectGoodCall(Provider& provider) {
    server_.PushScript(Script{});
    const Sample s = provider.Call(profile_);
    ASSERT_FALSE(s.error) << s.error_kind << ": " << s.error_message;
    EXPECT_EQ(s.tokens_out, 5);
  }

  FakeProviderServer server_;
  Target target_;
  PromptProfile profile_;
};

TEST_P(ProviderTest, MetricsMatchTheInjectedDelaysAndUsage) {
  // The first token after 120 ms, the other four 100 ms apart: the last byte leaves at 520 ms.
  // Behaviour, not speed: never less than what was injected, and the first token timed when it
  // came, before the stream ended; how close the figures are is bench/probe_accuracy_bench's.
  Script timed = Normal();
  timed.per_token_delay = milliseconds(100);
  server_.SetScript(timed);
  auto provider = Make();
  const Sample s = provider->Call(profile_);
  ASSERT_FALSE(s.error) << s.error_kind << ": " << s.error_message;
  EXPECT_EQ(s.source, (SourceKey{target_.provider, target_.model, "lab", "short"}));
  EXPECT_GT(s.time_ms, 1700000000000);
  EXPECT_FALSE(s.prompt_hash.empty());

  const double injected_e2e = 120 + 4 * 100;
  ASSERT_TRUE(s.e2e_ms);
  EXPECT_GE(*s.e2e_ms, injected_e2e - 1);
  EXPECT_EQ(s.tokens_in, 11);
  EXPECT_EQ(s.tokens_out, 5);

  const bool ollama = target_.provider == "ollama";
  if (GetParam().stream) {
    ASSERT_TRUE(s.ttft_ms);
    EXPECT_GE(*s.ttft_ms, 120 - 1);
    EXPECT_LT(*s.ttft_ms, injected_e2e);
    ASSERT_TRUE(s.tpot_ms);
    EXPECT_DOUBLE_EQ(*s.tpot_ms, (*s.e2e_ms - *s.ttft_ms) / 4);
  } else {
    EXPECT_FALSE(s.ttft_ms);
    EXPECT_FALSE(s.tpot_ms);
  }
  if (ollama) {
    ASSERT_TRUE(s.tokens_per_s);
    EXPECT_DOUBLE_EQ(*s.tokens_per_s, 5 / (5 * 10.0 / 1000));  // eval_count / eval_duration
    EXPECT_EQ(s.eval_count, 5);
    EXPECT_EQ(s.prompt_eval_count, 11);
    EXPECT_DOUBLE_EQ(*s.load_duration_ms, 2);
    EXPECT_DOUBLE_EQ(*s.prompt_eval_duration_ms, 3);
    EXPECT_DOUBLE_EQ(*s.eval_duration_ms, 50);
    EXPECT_DOUBLE_EQ(*s.total_duration_ms, 50);
  } else if (GetParam().stream) {
    ASSERT_TRUE(s.tokens_per_s);
    EXPECT_DOUBLE_EQ(*s.tokens_per_s, 5 / ((*s.e2e_ms - *s.ttft_ms) / 1000));
  } else {
    EXPECT_FALSE(s.tokens_per_s);
  }

  if (target_.provider == "openai") {
    ASSERT_TRUE(s.cost_usd);
    EXPECT_DOUBLE_EQ(*s.cost_usd, (11 * 0.15 + 5 * 0.60) / 1e6);
  } else if (target_.provider == "anthropic") {
    ASSERT_TRUE(s.cost_usd);
    EXPECT_DOUBLE_EQ(*s.cost_usd, (11 * 0.80 + 5 * 4.00) / 1e6);
  } else {
    EXPECT_FALSE(s.cost_usd);  // local models cost nothing unless configured
  }
}

TEST_P(ProviderTest, SendsTheProvidersRequestShapeAndHeaders) {
  auto provider = Make();
  ExpectGoodCall(*provider);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(body.value("model", ""), target_.model);
  EXPECT_EQ(body.value("stream", !GetParam().stream), GetParam().stream);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  const std::string& p = target_.provider;
  if (p == "ollama") {
    EXPECT_EQ(r.path, GetParam().ollama_api == "chat" ? "/api/chat" : "/api/generate");
    EXPECT_EQ(body["options"].value("num_predict", 0), 16);
    if (GetParam().ollama_api == "chat") {
      EXPECT_EQ(body["messages"][0].value("content", ""), "Say hello.");
    } else {
      EXPECT_EQ(body.value("prompt", ""), "Say hello.");
    }
    EXPECT_EQ(r.Header("Authorization"), "");
  } else if (p == "anthropic") {
    EXPECT_EQ(r.path, "/v1/messages");
    EXPECT_EQ(r.Header("x-api-key"), kKey);
    EXPECT_EQ(r.Header("anthropic-version"), "2023-06-01");
    EXPECT_EQ(r.Header("Authorization"), "");
    EXPECT_EQ(body.value("max_tokens", 0), 16);
    EXPECT_EQ(body["messages"][0].value("role", ""), "user");
  } else {
    EXPECT_EQ(r.path, "/v1/chat/completions");
    EXPECT_EQ(r.Header("Authorization"), p == "openai" ? std::string("Bearer ") + kKey : "");
    EXPECT_EQ(body.value("max_tokens", 0), 16);
    EXPECT_EQ(body["messages"][0].value("content", ""), "Say hello.");
    if (GetParam().stream) {
      ASSERT_TRUE(body.contains("stream_options"));
      EXPECT_TRUE(body["stream_options"].value("include_usage", false));
    } else {
      EXPECT_FALSE(body.contains("stream_options"));
    }
  }
}

TEST_P(ProviderTest, KeepsTheConnectionAlive) {
  auto provider = Make();
  ExpectGoodCall(*provider);
  ExpectGoodCall(*provider);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].remote_port, requests[1].remote_port);
}

TEST_P(ProviderTest, EachFaultIsTheRightErrorSampleAndTheNextCallSucceeds) {
  struct FaultCase {
    Fault fault;
    std::string kind;
    bool streamed_only;
  };
  const std::vector<FaultCase> faults = {
      {Fault::kHttp429, "http_429", false},    {Fault::kHttp500, "http_5xx", false},
      {Fault::kMalformed, "malformed", false}, {Fault::kTruncated, "truncated", true},
      {Fault::kReset, "truncated", false},     {Fault::kNeverEnds, "timeout", false},
      {Fault::kStreamError, "http_5xx", true},
  };
  target_.timeout_s = 0.6;
  auto provider = Make();
  for (const FaultCase& f : faults) {
    if (f.streamed_only && !GetParam().stream) continue;
    SCOPED_TRACE(f.kind);
    Script script = Normal();
    script.fault = f.fault;
    server_.PushScript(script);
    const auto start = std::chrono::steady_clock::now();
    const Sample s = provider->Call(profile_);
    const double took =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_TRUE(s.error);
    EXPECT_EQ(s.error_kind, f.kind) << s.error_message;
    EXPECT_FALSE(s.error_message.empty());
    EXPECT_EQ(s.error_message.find(kKey), std::string::npos);
    EXPECT_FALSE(s.e2e_ms);
    EXPECT_LT(took, 600 + 1000);
    if (f.fault == Fault::kHttp429) {
      EXPECT_NE(s.error_message.find("Retry-After: 7"), std::string::npos) << s.error_message;
    }
    if (f.fault == Fault::kHttp500) {
      EXPECT_NE(s.error_message.find("internal error in the fake"), std::string::npos)
          << s.error_message;
    }
    if (f.fault == Fault::kStreamError) {
      EXPECT_NE(s.error_message.find("verloaded"), std::string::npos) << s.error_message;
    }
    ExpectGoodCall(*provider);
  }
}

TEST_P(ProviderTest, FirstByteTimeoutThenRefusedThenRecovers) {
  target_.first_byte_timeout_s = 0.3;
  auto provider = Make();
  Script late = Normal();
  late.header_delay = milliseconds(2000);
  server_.PushScript(late);
  auto start = std::chrono::steady_clock::now();
  Sample s = provider->Call(profile_);
  const double took =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(s.error_kind, "timeout") << s.error_message;
  EXPECT_GE(took, 300 - 1);
  EXPECT_LT(took, 300 + 500);
  ExpectGoodCall(*provider);

  server_.Stop();
  s = provider->Call(profile_);
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "refused") << s.error_message;
  ASSERT_TRUE(server_.Start());
  ExpectGoodCall(*provider);
}

INSTANTIATE_TEST_SUITE_P(Providers, ProviderTest, ::testing::ValuesIn(Cases()), CaseName);

TEST(OpenAiProvider, BaseUrlEndingInV1IsNotDoubled) {
  FakeProviderServer server;
  ASSERT_TRUE(server.Start());
  Target t;
  t.provider = "openai-compatible";
  t.model = "m";
  t.base_url = server.base_url() + "/v1/";
  t.stream = false;
  OpenAiProvider provider(t, PriceTable{});
  const Sample s = provider.Call(PromptProfile{});
  EXPECT_FALSE(s.error) << s.error_message;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/v1/chat/completions");
}

// --- Stream parsers ---

std::vector<SseEvent> ParseSse(const std::vector<std::string_view>& pieces) {
  SseParser parser;
  std::vector<SseEvent> out;
  for (std::string_view p : pieces) parser.Feed(p, out);
  return out;
}

void ExpectSameEvents(const std::vector<SseEvent>& got, const std::vector<SseEvent>& want,
                      const std::string& where) {
  ASSERT_EQ(got.size(), want.size()) << where;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].event, want[i].event) << where << " event " << i;
    EXPECT_EQ(got[i].data, want[i].data) << where << " event " << i;
  }
}

TEST(SseParser, FramingAtEveryChunkBoundary) {
  const std::string stream =
      ": a comment\r\n"
      "event: message_start\r\n"
      "data: {\"a\":1}\r\n"
      "\r\n"
      "data:first\n"
      "data: second\n"
      "id: 7\n"
      "retry: 100\n"
      "\n"
      "event: ping\r"
      "data: {}\r"
      "\r"
      "event: no_data\n"
      "\n"
      "data\n"
      "\n"
      "data: [DONE]\n"
      "\n"
      "data: unterminated";
  const std::vector<SseEvent> want = {{"message_start", "{\"a\":1}"},
                                      {"", "first\nsecond"},
                                      {"ping", "{}"},
                                      {"", ""},
                                      {"", "[DONE]"}};
  ExpectSameEvents(ParseSse({stream}), want, "whole");
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    const std::string_view all(stream);
    ExpectSameEvents(ParseSse({all.substr(0, cut), all.substr(cut)}), want,
                     "cut at " + std::to_string(cut));
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  ExpectSameEvents(ParseSse(bytes), want, "byte by byte");
}

TEST(SseParser, OverlongLineOverflowsInsteadOfGrowing) {
  SseParser parser;
  std::vector<SseEvent> out;
  const std::string big(kMaxLineBytes + 1, 'x');
  parser.Feed("data: ", out);
  parser.Feed(big, out);
  EXPECT_TRUE(parser.overflowed());
  EXPECT_TRUE(out.empty());
}

std::vector<std::string> SplitLines(const std::vector<std::string_view>& pieces) {
  LineSplitter splitter;
  std::vector<std::string> out;
  for (std::string_view p : pieces) splitter.Feed(p, out);
  splitter.Finish(out);
  return out;
}

TEST(LineSplitter, NdjsonAtEveryChunkBoundary) {
  const std::string stream = "{\"response\":\"a\"}\n\r\n{\"response\":\"b\"}\r\n\n{\"done\":true}";
  const std::vector<std::string> want = {"{\"response\":\"a\"}", "{\"response\":\"b\"}",
                                         "{\"done\":true}"};
  EXPECT_EQ(SplitLines({stream}), want);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    const std::string_view all(stream);
    EXPECT_EQ(SplitLines({all.substr(0, cut), all.substr(cut)}), want) << "cut at " << cut;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < stream.size(); ++i) bytes.push_back(std::string_view(stream).substr(i, 1));
  EXPECT_EQ(SplitLines(bytes), want);
}

// --- Price table ---

TEST(PriceTable, DefaultsMatchDatedModelNamesByLongestPrefix) {
  const PriceTable t = PriceTable::Defaults();
  EXPECT_DOUBLE_EQ(*t.Cost("openai", "gpt-4o", 1'000'000, 0), 2.50);
  EXPECT_DOUBLE_EQ(*t.Cost("openai", "gpt-4o-2024-08-06", 0, 1'000'000), 10.00);
  EXPECT_DOUBLE_EQ(*t.Cost("openai", "gpt-4o-mini-2024-07-18", 1'000'000, 1'000'000), 0.75);
  EXPECT_DOUBLE_EQ(*t.Cost("anthropic", "claude-sonnet-4-20250514", 1000, 1000), 0.018);
  EXPECT_FALSE(t.Cost("openai", "gpt-4omni", 1, 1));  // a prefix must end at a '-'
  EXPECT_FALSE(t.Cost("anthropic", "gpt-4o", 1, 1));  // prices are per provider
  EXPECT_FALSE(t.Cost("ollama", "llama3.2", 100, 100));
  EXPECT_FALSE(t.Cost("openai-compatible", "qwen2.5", 100, 100));
}

TEST(PriceTable, SetAddsAndOverrides) {
  PriceTable t = PriceTable::Defaults();
  t.Set("ollama", "llama3.2", 0.01, 0.02);
  t.Set("openai", "gpt-4o", 1, 2);
  EXPECT_DOUBLE_EQ(*t.Cost("ollama", "llama3.2:latest", 1'000'000, 1'000'000), 0.03);
  EXPECT_DOUBLE_EQ(*t.Cost("openai", "gpt-4o", 1'000'000, 1'000'000), 3);
}

}  // namespace
}  // namespace llmscope::probe

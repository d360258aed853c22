#include "proxy/call_meter.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace llmscope::proxy {
namespace {

using std::chrono::milliseconds;

const net::SteadyTime kStart{};
net::SteadyTime At(int ms) {
  return kStart + milliseconds(ms);
}

probe::PriceTable Prices() {
  probe::PriceTable p;
  p.Set("openai", "gpt-4o", 2.0, 10.0);
  return p;
}

CallMeter Meter(Api api, std::string provider = "openai", std::string app = "checkout",
                std::string body = R"({"model":"gpt-4o","stream":true})") {
  return CallMeter(std::move(provider), api, body, std::move(app), 1'700'000'000'000, kStart);
}

std::string OpenAiChunk(const std::string& content) {
  return "data: {\"choices\":[{\"delta\":{\"content\":\"" + content + "\"}}]}\n\n";
}

TEST(CallMeter, OpenAiStreamTimesTheFirstContentToken) {
  CallMeter m = Meter(Api::kOpenAiChat);
  m.OnReplyHead(200, "text/event-stream; charset=utf-8", "");
  m.OnReplyBody("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n", At(10));
  const std::string first = OpenAiChunk("Hel");
  m.OnReplyBody(first.substr(0, 7), At(40));  // an event split across chunks
  m.OnReplyBody(first.substr(7) + OpenAiChunk("lo"), At(55));
  m.OnReplyBody(
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":3}}\n\n"
      "data: [DONE]\n\n",
      At(80));
  const Sample s = m.Finish({At(81), "", ""}, Prices());
  EXPECT_FALSE(s.error) << s.error_kind << ": " << s.error_message;
  EXPECT_EQ(s.time_ms, 1'700'000'000'000);
  EXPECT_EQ(s.source.provider, "openai");
  EXPECT_EQ(s.source.model, "gpt-4o");
  EXPECT_EQ(s.source.profile, "checkout");
  EXPECT_EQ(s.source.site, "");
  EXPECT_DOUBLE_EQ(*s.ttft_ms, 55.0);
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 81.0);
  EXPECT_DOUBLE_EQ(*s.tpot_ms, (81.0 - 55.0) / 2);
  EXPECT_EQ(*s.tokens_in, 1000);
  EXPECT_EQ(*s.tokens_out, 3);
  EXPECT_DOUBLE_EQ(*s.cost_usd, (1000 * 2.0 + 3 * 10.0) / 1e6);
  EXPECT_FALSE(s.prompt_text);
}

TEST(CallMeter, AStreamWithoutItsTerminalEventIsTruncated) {
  CallMeter m = Meter(Api::kOpenAiChat);
  m.OnReplyHead(200, "text/event-stream", "");
  m.OnReplyBody(OpenAiChunk("a"), At(5));
  const Sample s = m.Finish({At(9), "", ""}, Prices());
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "truncated");
  EXPECT_DOUBLE_EQ(*s.ttft_ms, 5.0);
}

TEST(CallMeter, HowTheExchangeEndedNamesTheError) {
  CallMeter upstream_broke = Meter(Api::kOpenAiChat);
  upstream_broke.OnReplyHead(200, "text/event-stream", "");
  upstream_broke.OnReplyBody(OpenAiChunk("a"), At(5));
  Sample s = upstream_broke.Finish({At(7), "truncated", "reset"}, Prices());
  EXPECT_EQ(s.error_kind, "truncated");
  EXPECT_EQ(s.error_message, "reset");

  CallMeter client_left = Meter(Api::kOpenAiChat);
  client_left.OnReplyHead(200, "text/event-stream", "");
  s = client_left.Finish({At(7), "cancelled", "the client went away"}, Prices());
  EXPECT_EQ(s.error_kind, "cancelled");

  CallMeter refused = Meter(Api::kOpenAiChat, "openai", "");
  s = refused.Finish({At(1), "refused", "connection refused"}, Prices());
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "refused");
  EXPECT_EQ(s.source.profile, "proxy");
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 1.0);
}

TEST(CallMeter, HttpErrorsAreKindsOfTheStatus) {
  for (const auto& [status, kind] : std::vector<std::pair<int, std::string>>{{429, "http_429"},
                                                                             {400, "http_4xx"},
                                                                             {401, "http_4xx"},
                                                                             {500, "http_5xx"},
                                                                             {503, "http_5xx"}}) {
    CallMeter m = Meter(Api::kAnthropicMessages, "anthropic");
    m.OnReplyHead(status, "application/json", "");
    m.OnReplyBody(R"({"type":"error","error":{"type":"overloaded_error","message":"x"}})", At(3));
    const Sample s = m.Finish({At(4), "", ""}, Prices());
    EXPECT_TRUE(s.error);
    EXPECT_EQ(s.error_kind, kind) << status;
    EXPECT_EQ(s.error_message, "HTTP " + std::to_string(status));
    EXPECT_DOUBLE_EQ(*s.e2e_ms, 4.0);
  }
}

TEST(CallMeter, AnthropicStreamReadsUsageFromStartAndDelta) {
  CallMeter m =
      Meter(Api::kAnthropicMessages, "anthropic", "app", R"({"model":"claude-x","stream":true})");
  m.OnReplyHead(200, "text/event-stream", "");
  m.OnReplyBody(
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
      "{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
      "event: ping\ndata: {\"type\":\"ping\"}\n\n",
      At(8));
  m.OnReplyBody(
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":"
      "{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
      At(30));
  m.OnReplyBody(
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":"
      "6}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
      At(90));
  const Sample s = m.Finish({At(90), "", ""}, Prices());
  EXPECT_FALSE(s.error) << s.error_message;
  EXPECT_EQ(s.source.model, "claude-x");
  EXPECT_DOUBLE_EQ(*s.ttft_ms, 30.0);
  EXPECT_EQ(*s.tokens_in, 12);
  EXPECT_EQ(*s.tokens_out, 6);
  EXPECT_DOUBLE_EQ(*s.tpot_ms, 60.0 / 5);
}

TEST(CallMeter, OllamaNdjsonStreamTakesTheFinalLinesCounts) {
  CallMeter m = Meter(Api::kOllamaChat, "ollama", "", R"({"model":"llama3.2"})");
  m.OnReplyHead(200, "application/x-ndjson", "");
  m.OnReplyBody("{\"message\":{\"content\":\"\"},\"done\":false}\n", At(4));
  m.OnReplyBody("{\"message\":{\"content\":\"Hi\"},\"done\":false}\n{\"message\":", At(20));
  m.OnReplyBody(
      "{\"content\":\"\"},\"done\":true,\"prompt_eval_count\":7,\"eval_count\":4,"
      "\"eval_duration\":40000000}",
      At(60));
  const Sample s = m.Finish({At(61), "", ""}, Prices());
  EXPECT_FALSE(s.error) << s.error_message;
  EXPECT_DOUBLE_EQ(*s.ttft_ms, 20.0);
  EXPECT_EQ(*s.tokens_in, 7);
  EXPECT_EQ(*s.tokens_out, 4);
  EXPECT_DOUBLE_EQ(*s.tokens_per_s, 100.0);
  EXPECT_FALSE(s.cost_usd);  // no price for local models
}

TEST(CallMeter, AWholeReplyGivesUsageAndTheReplysModelWhenTheRequestHasNone) {
  CallMeter m = Meter(Api::kOpenAiResponses, "openai", "", R"({"input":"hi"})");
  m.OnReplyHead(200, "application/json", "");
  const std::string body =
      R"({"model":"gpt-4o","output":[],"usage":{"input_tokens":5,"output_tokens":9}})";
  m.OnReplyBody(body.substr(0, 10), At(50));
  m.OnReplyBody(body.substr(10), At(70));
  const Sample s = m.Finish({At(70), "", ""}, Prices());
  EXPECT_FALSE(s.error) << s.error_message;
  EXPECT_EQ(s.source.model, "gpt-4o");
  EXPECT_FALSE(s.ttft_ms);
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 70.0);
  EXPECT_EQ(*s.tokens_in, 5);
  EXPECT_EQ(*s.tokens_out, 9);
  EXPECT_TRUE(s.cost_usd);
}

TEST(CallMeter, AWholeReplyOverTheLimitIsTimedButNotRead) {
  CallMeter m = Meter(Api::kOpenAiChat, "openai", "", R"({"model":"m"})");
  m.OnReplyHead(200, "application/json", "");
  const std::string piece(1 << 20, 'x');
  for (size_t sent = 0; sent <= kMaxReadBodyBytes; sent += piece.size()) {
    m.OnReplyBody(piece, At(1));
  }
  const Sample s = m.Finish({At(2), "", ""}, Prices());
  EXPECT_FALSE(s.error);
  EXPECT_FALSE(s.tokens_out);
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 2.0);
}

TEST(CallMeter, ACompressedReplyIsDecodedToBeRead) {
  const std::string body = R"({"usage":{"prompt_tokens":5,"completion_tokens":9}})";
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string gzip(256, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(gzip.data());
  z.avail_out = static_cast<uInt>(gzip.size());
  deflate(&z, Z_FINISH);
  gzip.resize(z.total_out);
  deflateEnd(&z);

  CallMeter m = Meter(Api::kOpenAiChat, "openai", "", R"({"model":"m"})");
  m.OnReplyHead(200, "application/json", "gzip");
  m.OnReplyBody(gzip.substr(0, 5), At(1));
  m.OnReplyBody(gzip.substr(5), At(2));
  Sample s = m.Finish({At(2), "", ""}, Prices());
  EXPECT_FALSE(s.error) << s.error_message;
  EXPECT_EQ(*s.tokens_out, 9);

  CallMeter unknown = Meter(Api::kOpenAiChat, "openai", "", R"({"model":"m"})");
  unknown.OnReplyHead(200, "application/json", "zstd");
  unknown.OnReplyBody("\x28\xb5\x2f\xfd", At(1));
  s = unknown.Finish({At(2), "", ""}, Prices());
  EXPECT_FALSE(s.error);  // timed, not read
  EXPECT_FALSE(s.tokens_out);
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 2.0);
}

TEST(CallMeter, ANonJsonReplyIsMalformed) {
  CallMeter m = Meter(Api::kOpenAiChat, "openai", "", R"({"model":"m"})");
  m.OnReplyHead(200, "text/html", "");
  m.OnReplyBody("<html>", At(1));
  const Sample s = m.Finish({At(2), "", ""}, Prices());
  EXPECT_EQ(s.error_kind, "malformed");
  EXPECT_EQ(s.source.model, "m");
}

TEST(CallMeter, AnInStreamErrorKeepsItsKind) {
  CallMeter m = Meter(Api::kOpenAiChat);
  m.OnReplyHead(200, "text/event-stream", "");
  m.OnReplyBody(OpenAiChunk("a"), At(5));
  m.OnReplyBody(
      "data: {\"error\":{\"type\":\"rate_limit_exceeded\",\"message\":\"slow down\"}}\n\n", At(6));
  const Sample s = m.Finish({At(7), "", ""}, Prices());
  EXPECT_EQ(s.error_kind, "http_429");
  EXPECT_NE(s.error_message.find("slow down"), std::string::npos);
}

}  // namespace
}  // namespace llmscope::proxy

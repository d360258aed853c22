// The proxy over real sockets on 127.0.0.1: ProxyServer in-process in front of the fake provider
// server, driven by an HTTP client (cpp-httplib) and raw connections. Replies must reach the
// client as the upstream sent them, and every call must become one sample, whatever fails.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "fakes/fake_provider_server.h"
#include "proxy/proxy_server.h"
#include "support/free_port.h"
#include "support/raw_http.h"

namespace llmscope::proxy {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::FakeProviderServer;
using testing::Fault;
using testing::Script;

// Keeps every sample it is offered.
class CollectingSink final : public SampleSink {
 public:
  void Offer(Sample sample) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      samples_.push_back(std::move(sample));
    }
    cv_.notify_all();
  }
  // The first `n` samples, once they are in (at most 10 s).
  std::vector<Sample> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return samples_.size() >= n; });
    return samples_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Sample> samples_;
};

// Resident memory of this process, in bytes.
size_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fake_.Start());
    Start("");
  }

  void Start(const std::string& required_key) {
    proxy_.reset();
    Result<UpstreamRoutes> routes = UpstreamRoutes::Make(
        {{"openai", "openai", fake_.base_url()},
         {"claude", "anthropic", fake_.base_url() + "/"},
         {"local", "ollama", fake_.base_url()},
         {"dead", "openai-compatible", "http://127.0.0.1:" + std::to_string(dead_port_)}});
    ASSERT_TRUE(routes) << routes.error().message;
    ProxyOptions options;
    options.port = 0;
    options.routes = std::move(*routes);
    options.required_key = required_key;
    options.prices.Set("openai", "gpt-4o", 2.5, 10.0);
    Result<std::unique_ptr<ProxyServer>> started = ProxyServer::Start(std::move(options), sink_);
    ASSERT_TRUE(started) << started.error().message;
    proxy_ = std::move(*started);
  }

  httplib::Client Proxy() const {
    httplib::Client c("127.0.0.1", proxy_->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  httplib::Client Direct() const {
    httplib::Client c("127.0.0.1", fake_.port());
    c.set_read_timeout(30, 0);
    return c;
  }

  FakeProviderServer fake_;
  CollectingSink sink_;
  int dead_port_ = llmscope::testing::PickFreePort();
  std::unique_ptr<ProxyServer> proxy_;
};

const std::string kOpenAiStream =
    R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,)"
    R"("stream_options":{"include_usage":true}})";

TEST_F(ProxyTest, AStreamPassesThroughUnchangedAndIsMeasuredLikeAProbe) {
  Script script;
  script.first_token_delay = milliseconds(60);
  script.per_token_delay = milliseconds(40);
  script.tokens = 6;
  fake_.SetScript(script);
  const httplib::Headers headers = {{"Authorization", "Bearer sk-test"},
                                    {"X-LLMscope-App", "checkout"}};
  httplib::Result via =
      Proxy().Post("/openai/v1/chat/completions", headers, kOpenAiStream, "application/json");
  ASSERT_TRUE(via);
  const testing::RecordedRequest upstream_saw = fake_.last_request();
  httplib::Result direct =
      Direct().Post("/v1/chat/completions", headers, kOpenAiStream, "application/json");
  ASSERT_TRUE(direct);

  EXPECT_EQ(via->status, 200);
  EXPECT_EQ(via->body, direct->body);
  EXPECT_EQ(via->get_header_value("Content-Type"), direct->get_header_value("Content-Type"));
  EXPECT_EQ(upstream_saw.path, "/v1/chat/completions");
  EXPECT_EQ(upstream_saw.body, kOpenAiStream);
  EXPECT_EQ(upstream_saw.Header("Authorization"), "Bearer sk-test");
  EXPECT_EQ(upstream_saw.Header("X-LLMscope-App"), "");

  const std::vector<Sample> samples = sink_.WaitFor(1);
  ASSERT_EQ(samples.size(), 1u);
  const Sample& s = samples[0];
  EXPECT_FALSE(s.error) << s.error_kind << ": " << s.error_message;
  EXPECT_EQ(s.source.provider, "openai");
  EXPECT_EQ(s.source.model, "gpt-4o");
  EXPECT_EQ(s.source.profile, "checkout");
  EXPECT_EQ(*s.tokens_out, 6);
  EXPECT_EQ(*s.tokens_in, 11);
  ASSERT_TRUE(s.cost_usd);
  // TTFT and e2e as the fake actually sent them: never before what was sent, and the first
  // token timed when it came, not when the stream ended (the tokens are 40 ms apart, so the
  // last byte is sent 200 ms after the first token). How close the figures are is measured in
  // bench/ (proxy_overhead_bench), not asserted here.
  const auto measure = [&](const Sample& sample, const testing::RecordedRequest& sent) {
    ASSERT_TRUE(sample.ttft_ms && sample.e2e_ms);
    EXPECT_GE(*sample.ttft_ms, sent.first_token_sent_ms);
    EXPECT_LT(*sample.ttft_ms, sent.last_byte_sent_ms);
    EXPECT_GE(*sample.e2e_ms, sent.last_byte_sent_ms);
  };
  measure(s, upstream_saw);
  for (size_t i = 1; i < 3; ++i) {
    ASSERT_TRUE(Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json"));
    const testing::RecordedRequest sent = fake_.last_request();
    measure(sink_.WaitFor(i + 1).at(i), sent);
  }
  EXPECT_TRUE(s.tpot_ms);
}

TEST_F(ProxyTest, WholeRepliesOfEachProviderPassThroughAndCarryUsage) {
  Script script;
  script.tokens = 4;
  fake_.SetScript(script);
  const std::string anthropic =
      R"({"model":"claude-test","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
  const std::string ollama = R"({"model":"llama3.2","prompt":"hi","stream":false})";
  for (const auto& [via_path, direct_path, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/claude/v1/messages", "/v1/messages", anthropic},
           {"/local/api/generate", "/api/generate", ollama}}) {
    httplib::Result via = Proxy().Post(via_path, body, "application/json");
    httplib::Result direct = Direct().Post(direct_path, body, "application/json");
    ASSERT_TRUE(via && direct);
    EXPECT_EQ(via->status, 200);
    EXPECT_EQ(via->body, direct->body) << via_path;
  }
  const std::vector<Sample> samples = sink_.WaitFor(2);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].source.provider, "anthropic");
  EXPECT_EQ(samples[0].source.model, "claude-test");
  EXPECT_EQ(samples[0].source.profile, "proxy");
  EXPECT_EQ(*samples[0].tokens_out, 4);
  EXPECT_FALSE(samples[0].ttft_ms);
  EXPECT_EQ(samples[1].source.provider, "ollama");
  EXPECT_EQ(*samples[1].tokens_out, 4);
  EXPECT_TRUE(samples[1].eval_duration_ms);
  for (const Sample& s : samples) EXPECT_FALSE(s.error) << s.error_message;
}

TEST_F(ProxyTest, AnOllamaNdjsonStreamIsMeasured) {
  Script script;
  script.first_token_delay = milliseconds(30);
  script.tokens = 3;
  fake_.SetScript(script);
  httplib::Result via = Proxy().Post(
      "/local/api/chat", R"({"model":"llama3.2","messages":[{"role":"user","content":"x"}]})",
      "application/json");
  ASSERT_TRUE(via);
  EXPECT_EQ(via->get_header_value("Content-Type"), "application/x-ndjson");
  const Sample s = sink_.WaitFor(1).at(0);
  EXPECT_FALSE(s.error) << s.error_message;
  ASSERT_TRUE(s.ttft_ms);
  EXPECT_GE(*s.ttft_ms, 30);
  EXPECT_EQ(*s.tokens_out, 3);
}

TEST_F(ProxyTest, UpstreamErrorsReachTheClientUnchangedAndBecomeErrorSamples) {
  Script rate_limited;
  rate_limited.fault = Fault::kHttp429;
  rate_limited.retry_after_s = 9;
  Script failing;
  failing.fault = Fault::kHttp500;
  fake_.PushScript(rate_limited);
  fake_.PushScript(failing);
  httplib::Result r429 =
      Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json");
  httplib::Result r500 =
      Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json");
  ASSERT_TRUE(r429 && r500);
  EXPECT_EQ(r429->status, 429);
  EXPECT_EQ(r429->get_header_value("Retry-After"), "9");
  EXPECT_NE(r429->body.find("rate limited by the fake"), std::string::npos);
  EXPECT_EQ(r500->status, 500);
  const std::vector<Sample> samples = sink_.WaitFor(2);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].error_kind, "http_429");
  EXPECT_EQ(samples[1].error_kind, "http_5xx");
}

TEST_F(ProxyTest, AResetMidStreamGivesTheClientWhatCameAndATruncatedSample) {
  Script script;
  script.tokens = 6;
  script.per_token_delay = milliseconds(5);
  script.fault = Fault::kReset;
  fake_.SetScript(script);
  std::string received;
  httplib::Client client = Proxy();
  httplib::Request req;
  req.method = "POST";
  req.path = "/openai/v1/chat/completions";
  req.body = kOpenAiStream;
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received.append(data, n);
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  client.send(req, res, error);
  EXPECT_NE(received.find("\"content\""), std::string::npos) << "the tokens before the reset";
  EXPECT_EQ(received.find("[DONE]"), std::string::npos);
  const Sample s = sink_.WaitFor(1).at(0);
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "truncated");
  // The proxy is still up.
  fake_.SetScript(Script{});
  httplib::Result next =
      Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ProxyTest, AClientGoneMidStreamCancelsTheNeverEndingUpstreamCall) {
  Script script;
  script.fault = Fault::kNeverEnds;
  script.per_token_delay = milliseconds(20);
  fake_.SetScript(script);
  {
    llmscope::testing::RawConnection raw(proxy_->port());
    ASSERT_TRUE(
        raw.Send("POST /openai/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/json\r\nContent-Length: " +
                 std::to_string(kOpenAiStream.size()) + "\r\n\r\n" + kOpenAiStream));
    const std::string some = raw.ReadUntilClosed(milliseconds(300));
    EXPECT_NE(some.find("200"), std::string::npos);
  }  // the client goes
  const Sample s = sink_.WaitFor(1).at(0);
  EXPECT_TRUE(s.error);
  EXPECT_EQ(s.error_kind, "cancelled");
  fake_.SetScript(Script{});
  httplib::Result next =
      Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ProxyTest, AHundredMegabyteReplyPassesInBoundedMemory) {
  Script script;
  script.padding_bytes = 100u << 20;
  fake_.SetScript(script);
  const size_t before = ResidentBytes();
  size_t peak = before, received = 0;
  httplib::Client client = Proxy();
  httplib::Request req;
  req.method = "POST";
  req.path = "/openai/v1/chat/completions";
  req.body = R"({"model":"gpt-4o","messages":[]})";
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char*, size_t n, uint64_t, uint64_t) {
    received += n;
    if (received % (8u << 20) < n) peak = std::max(peak, ResidentBytes());
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  ASSERT_TRUE(client.send(req, res, error)) << httplib::to_string(error);
  EXPECT_EQ(res.status, 200);
  EXPECT_GT(received, 100u << 20);
  EXPECT_LT(peak - before, size_t{48} << 20) << "resident memory grew with the reply";
  const Sample s = sink_.WaitFor(1).at(0);
  EXPECT_FALSE(s.error) << s.error_message;
  EXPECT_FALSE(s.tokens_out);  // too large to read for its usage
  EXPECT_TRUE(s.e2e_ms);
}

TEST_F(ProxyTest, ADeadUpstreamGetsA502AndARefusedSample) {
  httplib::Result r = Proxy().Post("/dead/v1/chat/completions", kOpenAiStream, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "bad_gateway");
  const Sample s = sink_.WaitFor(1).at(0);
  EXPECT_EQ(s.source.provider, "openai-compatible");
  EXPECT_EQ(s.error_kind, "refused");
}

TEST_F(ProxyTest, ASlowUpstreamHoldsOnlyItsOwnCalls) {
  Script slow;
  slow.header_delay = milliseconds(3000);
  fake_.PushScript(slow);
  std::thread slow_call(
      [&] { Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json"); });
  while (fake_.requests().empty()) std::this_thread::sleep_for(milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  httplib::Result dead = Proxy().Post("/dead/v1/chat/completions", "{}", "application/json");
  httplib::Result missing = Proxy().Get("/nope/v1/models");
  ASSERT_TRUE(dead && missing);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  slow_call.join();
}

TEST_F(ProxyTest, UnknownUpstreamsGetAJson404) {
  httplib::Result r = Proxy().Post("/nope/v1/chat/completions", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "not_found");
  EXPECT_TRUE(fake_.requests().empty());
}

TEST_F(ProxyTest, ARequiredKeyIsCheckedAndNotPassedOn) {
  Start("proxy-secret");
  httplib::Result none =
      Proxy().Post("/openai/v1/chat/completions", kOpenAiStream, "application/json");
  httplib::Result wrong = Proxy().Post("/openai/v1/chat/completions", {{"X-LLMscope-Key", "nope"}},
                                       kOpenAiStream, "application/json");
  ASSERT_TRUE(none && wrong);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_TRUE(fake_.requests().empty());
  httplib::Result right =
      Proxy().Post("/openai/v1/chat/completions", {{"X-LLMscope-Key", "proxy-secret"}},
                   kOpenAiStream, "application/json");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(fake_.last_request().Header("X-LLMscope-Key"), "");
}

TEST_F(ProxyTest, AKeepAliveClientReusesItsUpstreamConnection) {
  httplib::Client client = Proxy();
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    httplib::Result r =
        client.Post("/openai/v1/chat/completions", kOpenAiStream, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  const std::vector<testing::RecordedRequest> seen = fake_.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].remote_port, seen[2].remote_port);
  EXPECT_EQ(sink_.WaitFor(3).size(), 3u);
}

}  // namespace
}  // namespace llmscope::proxy

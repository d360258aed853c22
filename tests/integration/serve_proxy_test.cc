// `llmscope serve` with a [proxy] section, end to end: the real binary as a child process in
// front of the fake provider server on 127.0.0.1. Proxied calls become samples in the store on
// the single ingest path, labelled by X-LLMscope-App, and are counted in /metrics; a required
// proxy key is the API key.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "fakes/fake_provider_server.h"
#include "support/free_port.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

using nlohmann::json;

class ServeProxyTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start()); }

  // Starts serve with a proxy to the fake as "openai"; false on failure.
  void StartServe(bool require_key) {
    proxy_port_ = PickFreePort();
    const std::string config = config_dir_.Write(
        "llmscope.toml", "[proxy]\nlisten = \"127.0.0.1:" + std::to_string(proxy_port_) +
                             "\"\nrequire_key = " + (require_key ? "true" : "false") +
                             "\n\n[[proxy.upstreams]]\nname = \"openai\"\nprovider = \"openai\"\n"
                             "base_url = \"" +
                             fake_.base_url() + "\"\n");
    ServerOptions options;
    options.extra_args = {"--config", config};
    server_ = StartServer(LLMSCOPE_BINARY, options);
    ASSERT_TRUE(server_);
  }

  httplib::Client Proxy() const {
    httplib::Client c("127.0.0.1", proxy_port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  // GET /api/stats once it counts `n` samples (at most 10 s).
  json StatsWith(int64_t n) const {
    json stats;
    for (int i = 0; i < 200; ++i) {
      stats = json::parse(server_->Call("GET", "/api/stats").body, nullptr, false);
      if (stats.is_object() && stats.value("count", int64_t{0}) >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return stats;
  }

  FakeProviderServer fake_;
  TempDir config_dir_{"llmscope-serve-proxy"};
  int proxy_port_ = 0;
  std::unique_ptr<ServerProcess> server_;
};

const std::string kChat =
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true})";

TEST_F(ServeProxyTest, ProxiedCallsBecomeSamplesOfTheApplicationsSeries) {
  StartServe(false);
  for (int i = 0; i < 3; ++i) {
    httplib::Result r = Proxy().Post("/openai/v1/chat/completions",
                                     {{"X-LLMscope-App", "checkout"}}, kChat, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  const json stats = StatsWith(3);
  EXPECT_EQ(stats["count"], 3);
  bool found = false;
  for (const json& series : stats["series"]) {
    if (series["provider"] == "openai" && series["model"] == "gpt-4o-mini" &&
        series["profile"] == "checkout") {
      found = true;
    }
  }
  EXPECT_TRUE(found) << stats.dump();
  const std::string metrics = server_->Call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("llmscope_proxy_samples_total{outcome=\"ingested\"} 3"), std::string::npos)
      << metrics.substr(metrics.size() > 600 ? metrics.size() - 600 : 0);
  EXPECT_NE(metrics.find("llmscope_proxy_samples_total{outcome=\"dropped\"} 0"), std::string::npos);
  EXPECT_NE(
      server_->Stderr().find("proxy listening on http://127.0.0.1:" + std::to_string(proxy_port_)),
      std::string::npos);
}

TEST_F(ServeProxyTest, ARequiredKeyIsTheApiKey) {
  StartServe(true);
  httplib::Result none = Proxy().Post("/openai/v1/chat/completions", kChat, "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  httplib::Result keyed =
      Proxy().Post("/openai/v1/chat/completions", {{"X-LLMscope-Key", server_->api_key()}}, kChat,
                   "application/json");
  ASSERT_TRUE(keyed);
  EXPECT_EQ(keyed->status, 200);
  EXPECT_EQ(StatsWith(1)["count"], 1);
  EXPECT_EQ(server_->Stdout().find(server_->api_key()), std::string::npos);
  EXPECT_EQ(server_->Stderr().find(server_->api_key()), std::string::npos);
}

}  // namespace
}  // namespace llmscope::testing

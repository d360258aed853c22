// `llmscope serve` with a [proxy] section, end to end: the real binary as a child process in
// front of the fake provider server on 127.0.0.1. Proxied calls become samples in the store on
// the single ingest path, labelled by X-LLMscope-App, and are counted in /metrics; a required
// proxy key is the API key. A price edited through the API costs the next proxied calls (the
// earlier samples keep their cost) and GET /api/cost sums what they cost.
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

// The cost_usd column of the proxied gpt-4o-mini calls, oldest first.
std::vector<double> Costs(const ServerProcess& server) {
  const json spc = json::parse(
      server.Call("GET", "/api/stats/spc?provider=openai&model=gpt-4o-mini&metric=cost_usd").body,
      nullptr, false);
  std::vector<double> costs;
  for (const json& v : spc["values"]) {
    if (v.is_number()) costs.push_back(v.get<double>());
  }
  return costs;
}

json PriceOf(const ServerProcess& server, const std::string& model) {
  const json prices = json::parse(server.Call("GET", "/api/prices").body, nullptr, false);
  for (const json& p : prices["prices"]) {
    if (p["provider"] == "openai" && p["model"] == model) return p;
  }
  return nullptr;
}

TEST_F(ServeProxyTest, AnEditedPriceCostsTheNextCallsAndTheCostViewSumsThem) {
  StartServe(false);
  const json builtin = PriceOf(*server_, "gpt-4o-mini");
  ASSERT_TRUE(builtin.is_object());
  EXPECT_EQ(builtin["source"], "builtin");
  EXPECT_EQ(builtin["input_usd_per_mtok"], 0.15);

  const std::string path = "/api/prices/openai/gpt-4o-mini";
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"input_usd_per_mtok": -1, "output_usd_per_mtok": 6})", "input_usd_per_mtok"},
           {R"({"input_usd_per_mtok": 1.5})", "output_usd_per_mtok"},
           {R"({"input_usd_per_mtok": 1.5, "output_usd_per_mtok": 6, "x": 1})", "x"}}) {
    const Reply bad = server_->Call("PUT", path, body);
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_NE(bad.body.find(field), std::string::npos) << bad.body;
  }
  EXPECT_EQ(PriceOf(*server_, "gpt-4o-mini")["source"], "builtin") << "nothing was stored";

  // With the usage in the stream, so that the call has token counts to cost.
  auto call = [this] {
    httplib::Result r = Proxy().Post(
        "/openai/v1/chat/completions",
        R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true,)"
        R"("stream_options":{"include_usage":true}})",
        "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  };
  call();
  ASSERT_EQ(StatsWith(1)["count"], 1);
  const std::vector<double> before = Costs(*server_);
  ASSERT_EQ(before.size(), 1u);
  ASSERT_GT(before[0], 0);

  // Ten times the built-in price: the next call costs ten times as much, the first keeps its cost.
  const Reply put =
      server_->Call("PUT", path, R"({"input_usd_per_mtok": 1.5, "output_usd_per_mtok": 6})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(PriceOf(*server_, "gpt-4o-mini")["source"], "store");
  call();
  ASSERT_EQ(StatsWith(2)["count"], 2);
  const std::vector<double> after = Costs(*server_);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_DOUBLE_EQ(after[0], before[0]);
  EXPECT_NEAR(after[1], 10 * before[0], 1e-12);

  const json cost =
      json::parse(server_->Call("GET", "/api/cost?group=model").body, nullptr, false);
  ASSERT_EQ(cost["rows"].size(), 1u) << cost.dump();
  const json row = cost["rows"][0];
  EXPECT_EQ(row["model"], "gpt-4o-mini");
  EXPECT_EQ(row["calls"], 2);
  EXPECT_NEAR(row["spend_usd"].get<double>(), 11 * before[0], 1e-12);
  EXPECT_NEAR(row["usd_per_1000_calls"].get<double>(), 5500 * before[0], 1e-9);
  const json by_day =
      json::parse(server_->Call("GET", "/api/cost?group=model,day").body, nullptr, false);
  ASSERT_EQ(by_day["rows"].size(), 1u) << by_day.dump();
  EXPECT_EQ(by_day["rows"][0]["day"].get<std::string>().size(), 10u);
  const Reply bad_group = server_->Call("GET", "/api/cost?group=week");
  EXPECT_EQ(bad_group.status, 400);
  EXPECT_NE(bad_group.body.find("group"), std::string::npos) << bad_group.body;

  EXPECT_EQ(server_->Call("DELETE", path).status, 204);
  EXPECT_EQ(PriceOf(*server_, "gpt-4o-mini")["source"], "builtin");
}

}  // namespace
}  // namespace llmscope::testing

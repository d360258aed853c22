// The status page, its JSON and the badges over real sockets (server/status_routes.h): an HttpApi
// in this process over a SQLite store in a temporary directory, on 127.0.0.1, at a clock the test
// sets. Who may read them (public_status), what they show, that names are escaped, and that the
// strip's history is read again after a minute.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "core/time_format.h"
#include "monitor/series_monitor.h"
#include "server/http_api.h"
#include "store/open_store.h"
#include "support/temp_dir.h"
#include "telemetry/host_telemetry.h"

namespace llmscope::server {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 2208988800000 + 12 * 3'600'000;  // 2040-01-01T12:00:00Z
constexpr char kKey[] = "status-route-test-key";
constexpr char kHostile[] = "<script>alert(\"x\")</script> & ]]> 'q' ✓";
// A name a badge's path can carry: no '/' (the path's separator; the model's may hold one).
constexpr char kHostileInPath[] = "<svg onload=alert(1)> & ]]> \"q\" 'q' ✓";

// Every byte but letters and digits as %XX.
std::string PercentEncoded(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  return out;
}

class StatusRoutes : public ::testing::Test {
 protected:
  void Start(bool public_status) {
    Result<std::unique_ptr<store::Store>> store = store::OpenStore("sqlite://" + dir_.File("db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    monitor_ =
        std::make_unique<monitor::SeriesMonitor>(*store_, monitor::MonitorConfig::Defaults());
    ASSERT_TRUE(monitor_->Rebuild().ok());
    HttpOptions options;
    options.port = 0;
    options.api_threads = 2;
    options.max_stream_clients = 1;
    options.public_status = public_status;
    options.clock = [this] { return now_ms_.load(); };
    api_ = std::make_unique<HttpApi>(options, *monitor_, *store_, kKey, telemetry_);
    Result<int> port = api_->Bind();
    ASSERT_TRUE(port.ok()) << port.error().message;
    serving_ = std::thread([this] { api_->Serve(); });
    keyed_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    keyed_->set_bearer_token_auth(kKey);
    anonymous_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  void TearDown() override {
    if (serving_.joinable()) {
      api_->Stop();
      serving_.join();
    }
  }

  // Posts samples of the source, one a second ending at the clock's time.
  void Post(const std::string& provider, const std::string& model, int count,
            double latency_ms = 1200) {
    json batch = json::array();
    for (int i = count - 1; i >= 0; --i) {
      batch.push_back({{"provider", provider},
                       {"model", model},
                       {"latency_ms", latency_ms},
                       {"timestamp", FormatIsoUtc(now_ms_ - i * 1000)}});
    }
    httplib::Result r =
        keyed_->Post("/api/stats", json{{"samples", batch}}.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  json StatusJson() {
    httplib::Result r = keyed_->Get("/api/status");
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body, nullptr, false) : json();
  }

  std::atomic<int64_t> now_ms_{kT0};
  llmscope::testing::TempDir dir_{"llmscope-status-routes"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<monitor::SeriesMonitor> monitor_;
  telemetry::HostTelemetry telemetry_;
  std::unique_ptr<HttpApi> api_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> keyed_, anonymous_;
};

TEST_F(StatusRoutes, NeedTheKeyUnlessPublicStatus) {
  Start(/*public_status=*/false);
  Post("ollama", "llama3", 3);
  for (const char* path : {"/status", "/api/status", "/badge/ollama/llama3/e2e_ms.svg"}) {
    httplib::Result r = anonymous_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer") << path;
    r = keyed_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
}

TEST_F(StatusRoutes, PublicStatusOpensOnlyTheStatusRoutes) {
  Start(/*public_status=*/true);
  Post("ollama", "llama3", 3);
  for (const char* path : {"/status", "/api/status", "/badge/ollama/llama3/e2e_ms.svg"}) {
    httplib::Result r = anonymous_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
  httplib::Result r = anonymous_->Get("/api/series");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << "the rest of the API still needs the key";
  r = anonymous_->Post("/api/stats", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(StatusRoutes, ApiStatusGivesStatesStripAndLatencies) {
  Start(/*public_status=*/false);
  now_ms_ = kT0 - 86'400'000;
  Post("ollama", "llama3", 5, 800);  // yesterday
  now_ms_ = kT0;
  Post("ollama", "llama3", 10, 1200);
  Post("openai", "gpt-4o", 2);

  json j = StatusJson();
  EXPECT_EQ(j["generated"], "2040-01-01T12:00:00.000Z");
  EXPECT_EQ(j["days"], 90);
  EXPECT_EQ(j["first_date"], "2039-10-04");
  ASSERT_EQ(j["sources"].size(), 2u) << j;
  const json& llama = j["sources"][0];
  EXPECT_EQ(llama["model"], "llama3");
  EXPECT_EQ(llama["state"], "learning") << "a dozen samples are far from a baseline";
  EXPECT_EQ(j["overall"], "learning");
  EXPECT_EQ(llama["last_sample"], "2040-01-01T12:00:00.000Z");
  EXPECT_EQ(llama["e2e_p95_ms"], 1200);
  EXPECT_EQ(llama["interval_ms"], 1000);
  ASSERT_EQ(llama["strip"]["state"].size(), 90u);
  EXPECT_EQ(llama["strip"]["state"][89], "in_control");
  EXPECT_EQ(llama["strip"]["samples"][89], 10);
  EXPECT_EQ(llama["strip"]["samples"][88], 5);
  EXPECT_EQ(llama["strip"]["state"][87], "no_data");
  bool lists_e2e = false;
  for (const json& m : llama["metrics"]) lists_e2e |= m["metric"] == "e2e_ms";
  EXPECT_TRUE(lists_e2e) << llama["metrics"];
}

TEST_F(StatusRoutes, ASourceThatStopsSendingGoesSilentAndTheStripFollowsWithinAMinute) {
  Start(/*public_status=*/false);
  Post("ollama", "llama3", 3);
  EXPECT_EQ(StatusJson()["sources"][0]["strip"]["samples"][89], 3);

  now_ms_ += 30'000;
  Post("ollama", "llama3", 2);
  json j = StatusJson();
  EXPECT_EQ(j["sources"][0]["state"], "learning");
  EXPECT_EQ(j["sources"][0]["strip"]["samples"][89], 3) << "the strip is read once a minute";

  now_ms_ += 61'000;
  j = StatusJson();
  EXPECT_EQ(j["sources"][0]["strip"]["samples"][89], 5);
  EXPECT_EQ(j["sources"][0]["state"], "silent") << "61 s without a sample from a 1 s source";
  EXPECT_EQ(j["overall"], "silent");
}

TEST_F(StatusRoutes, EarlierDaysAreReadAgainHourlyAndWhenTheDayChanges) {
  Start(/*public_status=*/false);
  Post("ollama", "llama3", 2);
  EXPECT_EQ(StatusJson()["sources"][0]["strip"]["samples"][88], 0);

  const int64_t now = now_ms_;
  now_ms_ = now - 86'400'000;
  Post("ollama", "llama3", 4);  // a late push of yesterday's samples
  now_ms_ = now + 120'000;
  EXPECT_EQ(StatusJson()["sources"][0]["strip"]["samples"][88], 0)
      << "yesterday's counts are kept for an hour";
  now_ms_ = now + 3'600'000;
  EXPECT_EQ(StatusJson()["sources"][0]["strip"]["samples"][88], 4);

  now_ms_ = now + 12 * 3'600'000;  // the next UTC day: the strip moves by one
  json j = StatusJson();
  EXPECT_EQ(j["sources"][0]["strip"]["samples"][87], 4);
  EXPECT_EQ(j["sources"][0]["strip"]["samples"][88], 2);
  EXPECT_EQ(j["sources"][0]["strip"]["samples"][89], 0);
}

TEST_F(StatusRoutes, TheBadgeIsAnSvgCachedForAMinute) {
  Start(/*public_status=*/true);
  Post("ollama", "meta/llama3", 20, 1500);
  httplib::Result r = anonymous_->Get("/badge/ollama/meta/llama3/e2e_ms.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "max-age=60");
  EXPECT_NE(r->body.find(">e2e p95 1.5 s</text>"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(">llmscope</text>"), std::string::npos);

  for (const char* path : {"/badge/ollama/nothing/e2e_ms.svg", "/badge/ollama/meta/llama3/p99.svg",
                           "/badge/onlyone.svg", "/badge/ollama/meta/llama3/e2e_ms.svg?site=x"}) {
    r = anonymous_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "image/svg+xml; charset=utf-8") << path;
    EXPECT_NE(r->body.find(">unknown series</text>"), std::string::npos) << path;
  }
}

// The path is split before it is decoded: a provider holding '/' is sent with it as %2F.
TEST_F(StatusRoutes, AProviderHoldingASlashIsAddressedAsPercent2F) {
  Start(/*public_status=*/true);
  Post("azure/eu", "gpt-4o/mini", 20, 1500);
  for (const char* path :
       {"/badge/azure%2Feu/gpt-4o/mini/e2e_ms.svg", "/badge/azure%2feu/gpt-4o%2Fmini/e2e_ms.svg"}) {
    httplib::Result r = anonymous_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << r->body;
    EXPECT_NE(r->body.find("<title>azure/eu/gpt-4o/mini: e2e p95 1.5 s"), std::string::npos)
        << r->body;
  }
  // Unencoded, the provider ends at the first '/': "azure" has no model "eu/gpt-4o/mini".
  httplib::Result r = anonymous_->Get("/badge/azure/eu/gpt-4o/mini/e2e_ms.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(StatusRoutes, ABadgeOfSeveralSourcesAsksForASiteOrProfile) {
  Start(/*public_status=*/true);
  json batch = json::array();
  for (const char* profile : {"short", "long"}) {
    batch.push_back({{"provider", "ollama"},
                     {"model", "llama3"},
                     {"profile", profile},
                     {"latency_ms", 900},
                     {"timestamp", FormatIsoUtc(now_ms_)}});
  }
  ASSERT_EQ(keyed_->Post("/api/stats", json{{"samples", batch}}.dump(), "application/json")->status,
            200);
  httplib::Result r = anonymous_->Get("/badge/ollama/llama3/e2e_ms.svg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find(">add site or profile</text>"), std::string::npos);
  r = anonymous_->Get("/badge/ollama/llama3/e2e_ms.svg?profile=long");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find(">e2e p95 900 ms</text>"), std::string::npos) << r->body;
}

TEST_F(StatusRoutes, HostileNamesAreEscapedInThePageAndTheBadge) {
  Start(/*public_status=*/true);
  Post(kHostile, kHostile, 3);
  httplib::Result page = anonymous_->Get("/status");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->body.find("<script"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find("]]> "), std::string::npos);
  EXPECT_NE(page->body.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; "
                            "&#39;q&#39; ✓"),
            std::string::npos)
      << page->body;
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);

  // The names in the path, percent-encoded.
  Post(kHostileInPath, kHostileInPath, 3);
  const std::string encoded = PercentEncoded(kHostileInPath);
  httplib::Result badge = anonymous_->Get("/badge/" + encoded + "/" + encoded + "/e2e_ms.svg");
  ASSERT_TRUE(badge);
  ASSERT_EQ(badge->status, 200) << badge->body;
  EXPECT_EQ(badge->body.find("<svg onload"), std::string::npos) << badge->body;
  EXPECT_EQ(badge->body.find("]]> "), std::string::npos);
  EXPECT_NE(badge->body.find("<title>&lt;svg onload=alert(1)&gt; &amp; ]]&gt; &quot;q&quot; "
                             "&#39;q&#39; ✓/"),
            std::string::npos)
      << badge->body;

  json j = StatusJson();
  ASSERT_EQ(j["sources"].size(), 2u);
  EXPECT_EQ(j["sources"][0]["provider"], kHostile) << "JSON carries names verbatim";
}

}  // namespace
}  // namespace llmscope::server

// The routes' logic at a time the test chooses (HttpOptions::clock): an HttpApi in this process
// over a SQLite store in a temporary directory, on 127.0.0.1, with a clock set to 2040 — years
// after the real one, so a route that read the system clock instead would answer otherwise.
// Ingest's bound on future timestamps and its default time, the default window of the samples
// export, and the time /api/system reports all follow the injected clock.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "core/time_format.h"
#include "monitor/series_monitor.h"
#include "telemetry/host_telemetry.h"
#include "server/http_api.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::server {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 2208988800000;  // 2040-01-01T00:00:00Z
constexpr int64_t kMinute = 60000;
constexpr int64_t kHour = 60 * kMinute;
constexpr char kKey[] = "fixed-clock-test-key";

class RoutesAtFixedClock : public ::testing::Test {
 protected:
  void SetUp() override {
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
    options.clock = [this] { return now_ms_.load(); };
    api_ = std::make_unique<HttpApi>(options, *monitor_, *store_, kKey, telemetry_);
    Result<int> port = api_->Bind();
    ASSERT_TRUE(port.ok()) << port.error().message;
    serving_ = std::thread([this] { api_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_bearer_token_auth(kKey);
  }

  void TearDown() override {
    if (serving_.joinable()) {
      api_->Stop();
      serving_.join();
    }
  }

  // The reply's status and JSON body (null when it is no JSON).
  std::pair<int, json> Call(httplib::Result r) {
    if (!r) return {0, nullptr};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, json> PostSample(const json& sample) {
    return Call(client_->Post("/api/stats", sample.dump(), "application/json"));
  }
  std::pair<int, json> Get(const std::string& path) { return Call(client_->Get(path.c_str())); }

  static json SampleAt(int64_t time_ms) {
    return json{{"provider", "ollama"},
                {"model", "llama3"},
                {"latency_ms", 1200},
                {"timestamp", FormatIsoUtc(time_ms)}};
  }

  std::atomic<int64_t> now_ms_{kT0};
  llmscope::testing::TempDir dir_{"llmscope-fixed-clock"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<monitor::SeriesMonitor> monitor_;
  telemetry::HostTelemetry telemetry_;
  std::unique_ptr<HttpApi> api_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(RoutesAtFixedClock, IngestRefusesSamplesMoreThanFiveMinutesAfterTheClock) {
  auto [status, reply] = PostSample(SampleAt(kT0 + 4 * kMinute));
  EXPECT_EQ(status, 200) << reply;

  std::tie(status, reply) = PostSample(SampleAt(kT0 + 6 * kMinute));
  EXPECT_EQ(status, 400) << reply;
  EXPECT_EQ(reply["error"]["code"], "invalid_field");
  EXPECT_NE(reply["error"]["message"].get<std::string>().find("timestamp"), std::string::npos)
      << reply;

  now_ms_ += 2 * kMinute;  // the same sample is now only four minutes ahead
  std::tie(status, reply) = PostSample(SampleAt(kT0 + 6 * kMinute));
  EXPECT_EQ(status, 200) << reply;
}

TEST_F(RoutesAtFixedClock, ASampleWithoutTimestampIsStoredAtTheClocksTime) {
  json sample = SampleAt(0);
  sample.erase("timestamp");
  auto [status, reply] = PostSample(sample);
  ASSERT_EQ(status, 200) << reply;
  std::tie(status, reply) = Get("/api/samples/" + std::to_string(reply["ids"][0].get<int64_t>()));
  ASSERT_EQ(status, 200) << reply;
  EXPECT_EQ(reply["time_ms"], kT0);
  EXPECT_EQ(reply["timestamp"], "2040-01-01T00:00:00.000Z");
}

TEST_F(RoutesAtFixedClock, TheSamplesExportCoversTheDayBeforeTheClock) {
  ASSERT_EQ(PostSample(SampleAt(kT0 - 25 * kHour)).first, 200);
  ASSERT_EQ(PostSample(SampleAt(kT0 - 1 * kHour)).first, 200);
  auto rows = [this] {
    httplib::Result r = client_->Get("/api/export/samples");
    EXPECT_TRUE(r && r->status == 200);
    std::istringstream csv(r ? r->body : "");
    std::vector<std::string> lines;
    for (std::string line; std::getline(csv, line);) lines.push_back(line);
    return lines.size() - 1;  // the header
  };
  EXPECT_EQ(rows(), 1u) << "the day before the clock holds only the sample of an hour ago";
  now_ms_ = kT0 - 2 * kHour;
  EXPECT_EQ(rows(), 2u) << "two hours earlier, it reaches back to the older one";
  now_ms_ = kT0 + 24 * kHour;
  EXPECT_EQ(rows(), 0u) << "a day later, it holds neither";
}

TEST_F(RoutesAtFixedClock, SystemAndHealthReportTheClocksTime) {
  EXPECT_EQ(Get("/api/system").second["time"], "2040-01-01T00:00:00.000Z");
  EXPECT_EQ(Get("/health").second["time"], "2040-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace llmscope::server

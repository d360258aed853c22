// GET /api/stats/spc's body (BuildSpcView) over a real SQLite store: the same window gives the
// same bytes whether its points come from the in-memory cache (shared, not copied) or from the
// store, and the columns hold each sample's values exactly, whole numbers as their digits.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "monitor/series_monitor.h"
#include "server/recent_samples.h"
#include "server/spc_view.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::server {
namespace {

using nlohmann::json;

// A whole 1,000 s: its shortest double form is 2.209e+12.
constexpr int64_t kT0 = 2209000000000;
constexpr int kPoints = 300;

class SpcViewReply : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> store = store::OpenStore("sqlite://" + dir_.File("db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    monitor_ =
        std::make_unique<monitor::SeriesMonitor>(*store_, monitor::MonitorConfig::Defaults());
    ASSERT_TRUE(monitor_->Rebuild().ok());
    std::vector<Sample> samples;
    for (int i = 0; i < kPoints; ++i) {
      Sample s;
      s.source = source_;
      s.time_ms = kT0 + 2000 * int64_t{i};
      s.error = i % 97 == 5;
      s.e2e_ms = 1000.0 + 0.1 * i + (i % 7 == 0 ? 0.30000000000000004 : 0);
      s.ttft_ms = 300.0 + i;
      if (i % 3 == 0) s.telemetry.cpu_percent = 35.2 + i;
      if (i % 5 == 0) s.telemetry.gpu_memory_percent = 1e-7 * i;
      if (i % 11 == 0) s.prompt_eval_count = 1000000;
      s.prompt_hash = i % 2 ? "abc" : "";
      samples.push_back(s);
    }
    ASSERT_TRUE(monitor_->Ingest(std::move(samples)).ok());
  }

  std::string Body(const RecentSamples& recent, bool chart_columns_only) {
    SpcViewRequest r;
    r.series = SeriesKey{source_, Metric::kE2eMs};
    r.since_ms = kT0;
    r.until_ms = kT0 + 2000 * int64_t{kPoints};
    r.chart_columns_only = chart_columns_only;
    Result<std::string> body = BuildSpcView(r, *store_, *monitor_, recent);
    EXPECT_TRUE(body.ok()) << body.error().message;
    return body.ok() ? *body : "";
  }

  llmscope::testing::TempDir dir_{"llmscope-spc-view"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<monitor::SeriesMonitor> monitor_;
  const SourceKey source_{"ollama", "llama3", "", "short"};
};

TEST_F(SpcViewReply, TheCacheAndTheStoreGiveTheSameBytes) {
  RecentSamples cached(50000, 100000);  // holds the whole window
  ASSERT_TRUE(cached.Load(*store_).ok());
  RecentSamples evicted(1, 1);  // holds the newest point only: the window is read from the store
  ASSERT_TRUE(evicted.Load(*store_).ok());
  for (bool chart_columns_only : {true, false}) {
    const std::string from_cache = Body(cached, chart_columns_only);
    EXPECT_EQ(from_cache, Body(evicted, chart_columns_only));
    EXPECT_EQ(json::parse(from_cache)["count"], kPoints);
  }
}

TEST_F(SpcViewReply, ColumnsHoldEachSampleExactly) {
  RecentSamples cached(50000, 100000);
  ASSERT_TRUE(cached.Load(*store_).ok());
  const std::string body = Body(cached, false);
  // Times and ids as digits: a time on a whole 1,000 s is not written 2.209e+12.
  EXPECT_NE(body.find("\"time_ms\":[2209000000000,2209000002000,"), std::string::npos);
  const json reply = json::parse(body);
  for (int i = 0; i < kPoints; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(reply["time_ms"][i].get<int64_t>(), kT0 + 2000 * int64_t{i});
    EXPECT_EQ(reply["errors"][i].get<int>(), i % 97 == 5 ? 1 : 0);
    if (i % 97 == 5) {
      EXPECT_TRUE(reply["values"][i].is_null());  // a failed call's latency is not shown
    } else {
      EXPECT_EQ(reply["values"][i].get<double>(),
                1000.0 + 0.1 * i + (i % 7 == 0 ? 0.30000000000000004 : 0));
    }
    if (i % 3 == 0) {
      EXPECT_EQ(reply["cpu_percents"][i].get<double>(), 35.2 + i);
    } else {
      EXPECT_TRUE(reply["cpu_percents"][i].is_null());
    }
    if (i % 5 == 0) {
      EXPECT_EQ(reply["gpu_memory_percents"][i].get<double>(), 1e-7 * i);
    }
    EXPECT_TRUE(reply["memory_percents"][i].is_null());
    EXPECT_EQ(reply["prompt_hashes"][i], i % 2 ? "abc" : "");
    if (i > 0) {
      EXPECT_GT(reply["ids"][i].get<int64_t>(), reply["ids"][i - 1].get<int64_t>());
    }
  }
}

}  // namespace
}  // namespace llmscope::server

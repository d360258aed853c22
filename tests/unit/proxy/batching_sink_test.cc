#include "proxy/batching_sink.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

namespace llmscope::proxy {
namespace {

Sample Numbered(int64_t n) {
  Sample s;
  s.time_ms = n;
  return s;
}

TEST(BatchingSink, DeliversEverySampleInOrderInBatches) {
  std::mutex mu;
  std::vector<int64_t> seen;
  size_t largest_batch = 0;
  {
    BatchingSink sink(1000, 16, [&](std::vector<Sample> batch) {
      std::lock_guard<std::mutex> lock(mu);
      largest_batch = std::max(largest_batch, batch.size());
      for (const Sample& s : batch) seen.push_back(s.time_ms);
    });
    for (int64_t i = 0; i < 500; ++i) sink.Offer(Numbered(i));
    // The destructor delivers what is still queued.
  }
  ASSERT_EQ(seen.size(), 500u);
  for (int64_t i = 0; i < 500; ++i) EXPECT_EQ(seen[static_cast<size_t>(i)], i);
  EXPECT_LE(largest_batch, 16u);
}

TEST(BatchingSink, AFullQueueDropsAndCountsWithoutBlocking) {
  std::promise<void> stuck, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> delivered{0};
  uint64_t dropped = 0;
  {
    bool first = true;
    BatchingSink sink(10, 100, [&](std::vector<Sample> batch) {
      if (first) {
        first = false;
        stuck.set_value();
        released.wait();  // a store that is stuck
      }
      delivered += static_cast<int>(batch.size());
    });
    sink.Offer(Numbered(0));
    stuck.get_future().wait();
    // The delivery of the first sample is stuck: 10 more are held, the rest dropped at once.
    for (int i = 1; i <= 100; ++i) sink.Offer(Numbered(i));
    dropped = sink.dropped();
    release.set_value();
  }
  EXPECT_EQ(dropped, 90u);
  EXPECT_EQ(delivered.load(), 11);
}

}  // namespace
}  // namespace llmscope::proxy

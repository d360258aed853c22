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
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> delivered{0};
  uint64_t dropped = 0;
  {
    BatchingSink sink(10, 100, [&](std::vector<Sample> batch) {
      released.wait();  // a store that is stuck
      delivered += static_cast<int>(batch.size());
    });
    sink.Offer(Numbered(0));
    // The first sample may or may not have been taken by the stuck delivery yet: 10 or 11 are
    // held, the rest are dropped at once.
    for (int i = 1; i < 100; ++i) sink.Offer(Numbered(i));
    dropped = sink.dropped();
    EXPECT_GE(dropped, 89u);
    EXPECT_LE(dropped, 90u);
    release.set_value();
  }
  EXPECT_EQ(delivered.load() + static_cast<int>(dropped), 100);
}

}  // namespace
}  // namespace llmscope::proxy

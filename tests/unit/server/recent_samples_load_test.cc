// RecentSamples::Load from a real SQLite store: each source's newest samples, read a page at a
// time, in id order, and honest about older samples left in the store (a window reaching them
// goes to the store).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/recent_samples.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::server {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

class RecentSamplesLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> opened = store::OpenStore("sqlite://" + dir_.File("db"));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }

  // `count` samples of model `model`, one a second, interleaved with another source's.
  void Append(const std::string& model, int count) {
    std::vector<Sample> batch;
    for (int i = 0; i < count; ++i) {
      for (const std::string& m : {model, std::string("other")}) {
        Sample s;
        s.source = SourceKey{"p", m, "", ""};
        s.time_ms = kT0 + 1000 * int64_t{i};
        s.e2e_ms = 100.0 + i;
        batch.push_back(s);
      }
    }
    ASSERT_TRUE(store_->AppendSamples(batch).ok());
  }

  llmscope::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  const SourceKey a_{"p", "a", "", ""};
};

TEST_F(RecentSamplesLoad, ASourceLargerThanItsShareKeepsItsNewestInOrder) {
  Append("a", 10000);  // more than two pages of the load's reads
  RecentSamples cache(9000, 100000);
  ASSERT_TRUE(cache.Load(*store_).ok());
  std::optional<ViewPoints> newest = cache.Window(a_, INT64_MIN, INT64_MAX, 9000);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 9000u);
  for (size_t i = 0; i < newest->size(); ++i) {
    ASSERT_EQ((*newest)[i].time_ms, kT0 + 1000 * int64_t(1000 + i)) << i;
    ASSERT_EQ((*newest)[i].metric[static_cast<size_t>(Metric::kE2eMs)], 100.0 + 1000 + i) << i;
  }
  // The 1,000 oldest stayed in the store: a window reaching them is not answered from memory.
  EXPECT_FALSE(cache.Window(a_, INT64_MIN, INT64_MAX, 9001));
  EXPECT_FALSE(cache.Window(a_, kT0, INT64_MAX, 100000));
}

TEST_F(RecentSamplesLoad, ASourceWithinItsShareIsHeldWhole) {
  Append("a", 8192);  // exactly two pages
  RecentSamples cache(8192, 100000);
  ASSERT_TRUE(cache.Load(*store_).ok());
  std::optional<ViewPoints> all = cache.Window(a_, kT0, INT64_MAX, 100000);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 8192u);
  EXPECT_EQ(all->front().time_ms, kT0);
  EXPECT_EQ(all->back().time_ms, kT0 + 1000 * 8191);
}

}  // namespace
}  // namespace llmscope::server

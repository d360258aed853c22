// The SPC view's cache of recent samples: bounded per source and over all sources, and honest
// about what it no longer holds (a window it cannot answer whole goes to the store).
#include "server/recent_samples.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace llmscope::server {
namespace {

std::vector<Sample> Samples(const std::string& model, int64_t first_id, int count) {
  std::vector<Sample> out;
  for (int i = 0; i < count; ++i) {
    Sample s;
    s.id = first_id + i;
    s.time_ms = 1000 * (first_id + i);
    s.source = SourceKey{"p", model, "", ""};
    s.e2e_ms = 100.0 + i;
    out.push_back(s);
  }
  return out;
}

void Add(RecentSamples& cache, const std::vector<Sample>& samples) {
  std::vector<const Sample*> pointers;
  for (const Sample& s : samples) pointers.push_back(&s);
  cache.Add(pointers);
}

TEST(RecentSamples, ASourceKeepsItsNewestAndSendsOlderWindowsToTheStore) {
  RecentSamples cache(10, 1000);
  Add(cache, Samples("a", 1, 25));  // ids 1..25 at t = 1..25 s; 16..25 kept
  const SourceKey a{"p", "a", "", ""};
  // Complete once a held point lies before the window (ids follow time here).
  std::optional<ViewPoints> recent = cache.Window(a, 17000, INT64_MAX, 100);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 9u);
  EXPECT_EQ(recent->front().id, 17);
  EXPECT_FALSE(cache.Window(a, 10000, INT64_MAX, 100));  // 10..15 were evicted
  EXPECT_TRUE(cache.Window(a, 10000, INT64_MAX, 5));     // the newest 5 are held
}

// Retention deleted the rows before the cutoff: the cache no longer shows them (a source left
// with nothing has nothing in the store either: its newest samples were older).
TEST(RecentSamples, SamplesOlderThanRetentionAreForgotten) {
  RecentSamples cache(100, 1000);
  Add(cache, Samples("a", 1, 25));   // t = 1..25 s
  Add(cache, Samples("b", 101, 5));  // t = 101..105 s
  const SourceKey a{"p", "a", "", ""}, b{"p", "b", "", ""};
  cache.ForgetOlderThan(11000);
  std::optional<ViewPoints> left = cache.Window(a, 0, INT64_MAX, 100);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 15u);
  EXPECT_EQ(left->front().id, 11);
  EXPECT_EQ(cache.Window(b, 0, INT64_MAX, 100)->size(), 5u);
  cache.ForgetOlderThan(104000);
  EXPECT_TRUE(cache.Window(a, 0, INT64_MAX, 100)->empty());
  EXPECT_EQ(cache.Window(b, 0, INT64_MAX, 100)->size(), 2u);
}

TEST(RecentSamples, TheTotalIsBoundedByEvictingFromTheLargestSource) {
  RecentSamples cache(1000, 100);
  Add(cache, Samples("big", 1, 90));
  Add(cache, Samples("small", 1000, 20));  // 110 > 100: "big" gives up its oldest eighth
  const SourceKey big{"p", "big", "", ""}, small{"p", "small", "", ""};
  std::optional<ViewPoints> small_all = cache.Window(small, 0, INT64_MAX, 1000);
  ASSERT_TRUE(small_all);
  EXPECT_EQ(small_all->size(), 20u);
  EXPECT_FALSE(cache.Window(big, 0, INT64_MAX, 1000));  // its oldest went
  std::optional<ViewPoints> big_recent = cache.Window(big, 0, INT64_MAX, 70);
  ASSERT_TRUE(big_recent);
  EXPECT_EQ(big_recent->back().id, 90);
  // Many sources: each keeps some, and the total stays within the bound.
  for (int m = 0; m < 40; ++m) Add(cache, Samples("m" + std::to_string(m), 2000 + 100 * m, 10));
  size_t held = 0;
  for (int m = 0; m < 40; ++m) {
    const SourceKey k{"p", "m" + std::to_string(m), "", ""};
    std::optional<ViewPoints> w = cache.Window(k, 0, INT64_MAX, 1);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->size(), 1u);  // the newest point of every source is held
  }
  for (const SourceKey& k : {big, small}) {
    if (std::optional<ViewPoints> w = cache.Window(k, 0, INT64_MAX, 1000)) {
      held += w->size();
    }
  }
  EXPECT_LE(held, 100u);
}

// A window shares the cache's points instead of copying them: what it was handed stays as it
// was while the cache evicts them, adds after them and drops them for retention.
TEST(RecentSamples, AWindowHandedOutStaysAsItWasWhateverTheCacheDoesNext) {
  RecentSamples cache(10, 1000);
  Add(cache, Samples("a", 1, 10));
  const SourceKey a{"p", "a", "", ""};
  std::optional<ViewPoints> held = cache.Window(a, 0, INT64_MAX, 100);
  ASSERT_TRUE(held);
  Add(cache, Samples("a", 11, 30));  // 1..30 seen, 31..40 kept: every held point evicted
  cache.ForgetOlderThan(35000);
  ASSERT_EQ(held->size(), 10u);
  for (size_t i = 0; i < held->size(); ++i) {
    EXPECT_EQ((*held)[i].id, static_cast<int64_t>(i) + 1);
    EXPECT_EQ((*held)[i].metric[static_cast<size_t>(Metric::kE2eMs)],
              100.0 + static_cast<double>(i));
  }
  std::optional<ViewPoints> now = cache.Window(a, 0, INT64_MAX, 6);
  ASSERT_TRUE(now);
  ASSERT_EQ(now->size(), 6u);  // 35..40, all the cache holds
  EXPECT_EQ(now->front().id, 35);
  EXPECT_EQ(now->back().id, 40);
}

// Windows read while samples arrive (the ThreadSanitizer run checks the sharing): each is the
// newest points in id order, without gaps.
TEST(RecentSamples, WindowsReadWhileSamplesArriveAreWhole) {
  RecentSamples cache(500, 800);
  const SourceKey a{"p", "a", "", ""};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int64_t first = 1; first <= 5000; first += 50) Add(cache, Samples("a", first, 50));
    done = true;
  });
  int checked = 0;
  while (!done || checked == 0) {
    std::optional<ViewPoints> w = cache.Window(a, 0, INT64_MAX, 300);
    if (!w || w->empty()) continue;
    for (size_t i = 1; i < w->size(); ++i) ASSERT_EQ((*w)[i].id, (*w)[i - 1].id + 1);
    ++checked;
  }
  writer.join();
  std::optional<ViewPoints> last = cache.Window(a, 0, INT64_MAX, 300);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->back().id, 5000);
  EXPECT_EQ(last->size(), 300u);
}

}  // namespace
}  // namespace llmscope::server

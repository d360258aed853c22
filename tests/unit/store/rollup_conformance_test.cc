// The Store conformance suite, continued: rollups (store/rollups.h) kept by AppendSamples,
// rebuilt from samples, read, and kept longer than samples, for every implementation that
// instantiates StoreConformanceTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "store/rollups.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // not on a bucket edge: buckets start inside

// In QueryRollups' order (series by source, then metric name; bucket), width first.
std::vector<Rollup> Sorted(std::vector<Rollup> rollups) {
  std::stable_sort(rollups.begin(), rollups.end(), [](const Rollup& a, const Rollup& b) {
    return std::tuple(a.width_ms, a.series.source, MetricName(a.series.metric), a.bucket_ms) <
           std::tuple(b.width_ms, b.series.source, MetricName(b.series.metric), b.bucket_ms);
  });
  return rollups;
}

// Every rollup of the store, both widths, every series.
std::vector<Rollup> AllRollups(Store& store) {
  std::vector<Rollup> all;
  for (int64_t width : kRollupWidthsMs) {
    RollupQuery q;
    q.width_ms = width;
    Result<std::vector<Rollup>> got = store.QueryRollups(q);
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (got.ok()) all.insert(all.end(), got->begin(), got->end());
  }
  return all;
}

// Samples of two sources over three hours, out of time order at times, with failed calls, calls
// without ttft, ties of value and of time, and resent ingest keys; integer values, so sums add
// up exactly in any order. Appended in batches of different sizes.
void AppendHistory(Store& store) {
  const SourceKey a = Source("p", "m"), b = Source("p", "m", "eu", "long");
  std::vector<Sample> all;
  for (int i = 0; i < 700; ++i) {
    Sample s = MakeSample(kT0 + (i % 7 == 3 ? -40'000 : 0) + int64_t{i} * 17'000 + (i % 5) * 3,
                          i % 3 == 0 ? b : a, 100.0 + (i * 37) % 50);
    if (i % 11 == 0) s.ttft_ms = 20.0 + i % 4;
    if (i % 13 == 0) {
      s.error = true;
      s.e2e_ms.reset();
      s.error_kind = "timeout";
    }
    if (i % 17 == 0) s.time_ms = all.empty() ? s.time_ms : all.back().time_ms;  // a time tie
    if (i % 9 == 0) s.ingest_key = "k" + std::to_string(i / 2);                 // some keys twice
    all.push_back(std::move(s));
  }
  size_t at = 0, size = 1;
  while (at < all.size()) {
    std::vector<Sample> batch(
        all.begin() + static_cast<ptrdiff_t>(at),
        all.begin() + static_cast<ptrdiff_t>(std::min(all.size(), at + size)));
    ASSERT_TRUE(store.AppendSamples(batch).ok());
    at += batch.size();
    size = size % 97 + 13;
  }
}

// The rollups the samples stored make, computed here from them one at a time.
std::vector<Rollup> ExpectedRollups(Store& store) {
  Result<std::vector<Sample>> samples = store.QuerySamples(SampleQuery{});
  EXPECT_TRUE(samples.ok());
  std::map<std::tuple<int64_t, SeriesKey, int64_t>, Rollup> by_key;
  for (const Sample& s : *samples) {
    for (Metric m : kAllMetrics) {
      for (int64_t width : kRollupWidthsMs) {
        const int64_t bucket = BucketStart(s.time_ms, width);
        Rollup& r = by_key[{width, SeriesKey{s.source, m}, bucket}];
        r.series = SeriesKey{s.source, m};
        r.width_ms = width;
        r.bucket_ms = bucket;
        r.Add(RollupPoint{s.time_ms, RolledValue(s, m), s.id}, s.error);
      }
    }
  }
  std::vector<Rollup> out;
  for (auto& [key, r] : by_key) out.push_back(r);
  return Sorted(out);
}

TEST_P(StoreConformanceTest, RollupsKeptLiveEqualRollupsComputedFromTheSamples) {
  AppendHistory(store());
  EXPECT_EQ(AllRollups(store()), ExpectedRollups(store()));
}

TEST_P(StoreConformanceTest, RollupsRebuiltAfterReopeningEqualTheLiveOnes) {
  AppendHistory(store());
  const std::vector<Rollup> live = AllRollups(store());
  ASSERT_FALSE(live.empty());
  Reopen();  // as after a crash: what was committed is all there is
  EXPECT_EQ(AllRollups(store()), live);
  Result<int64_t> rebuilt = store().RebuildRollups(INT64_MIN);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, static_cast<int64_t>(live.size() / kMetricCount));  // a row per source
  EXPECT_EQ(AllRollups(store()), live);
  // From an hour on: the buckets before it are left as they are, the later ones rebuilt.
  ASSERT_TRUE(store().RebuildRollups(kT0 + 3'600'000).ok());
  EXPECT_EQ(AllRollups(store()), live);
}

TEST_P(StoreConformanceTest, RollupPointsAreTheBucketsRealExtremes) {
  const SourceKey a = Source("p", "m");
  std::vector<Sample> batch;
  for (double v : {300.0, 100.0, 500.0, 100.0, 500.0, 200.0}) {
    batch.push_back(
        MakeSample(kT0 - kT0 % 60'000 + static_cast<int64_t>(batch.size()) * 1000, a, v));
  }
  batch[5].error = true;  // the last call failed: the last point has no e2e value
  batch[5].e2e_ms.reset();
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  RollupQuery q;
  q.series = SeriesKey{a, Metric::kE2eMs};
  Result<std::vector<Rollup>> got = store().QueryRollups(q);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const Rollup& r = got->front();
  EXPECT_EQ(r.count, 6);
  EXPECT_EQ(r.errors, 1);
  EXPECT_EQ(r.value_count, 5);
  EXPECT_EQ(r.value_sum, 1500.0);
  EXPECT_EQ(r.value_sum_squares, 300.0 * 300 + 2 * 100.0 * 100 + 2 * 500.0 * 500);
  EXPECT_EQ(r.min, (RollupPoint{batch[1].time_ms, 100.0, batch[1].id}));  // the first of a tie
  EXPECT_EQ(r.max, (RollupPoint{batch[2].time_ms, 500.0, batch[2].id}));
  EXPECT_EQ(r.first, (RollupPoint{batch[0].time_ms, 300.0, batch[0].id}));
  EXPECT_EQ(r.last, (RollupPoint{batch[5].time_ms, std::nullopt, batch[5].id}));
}

TEST_P(StoreConformanceTest, QueryRollupsOfEverySeriesOfAMetricByBucketRange) {
  AppendHistory(store());
  RollupQuery q;
  q.width_ms = kRollupHourMs;
  q.metric = Metric::kError;
  q.since_ms = BucketStart(kT0, kRollupHourMs) + kRollupHourMs;
  q.until_ms = q.since_ms + 2 * kRollupHourMs;
  Result<std::vector<Rollup>> got = store().QueryRollups(q);
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<Rollup> want;
  for (const Rollup& r : ExpectedRollups(store())) {
    if (r.width_ms == q.width_ms && r.series.metric == Metric::kError &&
        r.bucket_ms >= q.since_ms && r.bucket_ms < q.until_ms) {
      want.push_back(r);
    }
  }
  ASSERT_EQ(want.size(), 4u);  // two sources, two hours
  EXPECT_EQ(*got, want);
}

TEST_P(StoreConformanceTest, RetentionDeletesSamplesBeforeRollups) {
  AppendHistory(store());
  const std::vector<Rollup> before = AllRollups(store());
  const int64_t cutoff = BucketStart(kT0, kRollupHourMs) + 2 * kRollupHourMs;
  ASSERT_TRUE(store().DeleteOlderThan(cutoff).ok());
  EXPECT_EQ(AllRollups(store()), before);  // the samples' retention leaves rollups alone

  Result<int64_t> minutes = store().DeleteRollupsOlderThan(kRollupMinuteMs, cutoff);
  ASSERT_TRUE(minutes.ok()) << minutes.error().message;
  std::vector<Rollup> kept;
  for (const Rollup& r : before) {
    if (r.width_ms == kRollupHourMs || r.bucket_ms >= cutoff) kept.push_back(r);
  }
  EXPECT_EQ(*minutes, static_cast<int64_t>((before.size() - kept.size()) / kMetricCount));
  EXPECT_GT(*minutes, 0);
  EXPECT_EQ(AllRollups(store()), kept);
}

TEST_P(StoreConformanceTest, SamplesWithIdsReadsThoseStoredInIdOrder) {
  std::vector<Sample> batch;
  for (int i = 0; i < 1200; ++i) batch.push_back(MakeSample(kT0 + i, Source("p", "m"), i));
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  std::vector<int64_t> ids = {batch[1100].id, batch[3].id, 999'999'999, batch[600].id};
  for (int i = 0; i < 600; ++i) ids.push_back(batch[static_cast<size_t>(i) * 2].id);
  Result<std::vector<Sample>> got = store().SamplesWithIds(ids, SampleFields::kAll);
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<int64_t> want;
  for (int64_t id : ids) {
    if (id != 999'999'999) want.push_back(id);
  }
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  std::vector<int64_t> ids_got;
  for (const Sample& s : *got) ids_got.push_back(s.id);
  EXPECT_EQ(ids_got, want);
  EXPECT_EQ(got->front().e2e_ms, 0.0);
}

}  // namespace
}  // namespace llmscope::store::conformance

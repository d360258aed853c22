// M4 downsampling for display: hand-worked buckets, failed calls, kept violation points, and the
// property that makes it exact for a line chart (each bucket's extent and ends survive).
#include "server/display_downsample.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace llmscope::server {
namespace {

using Values = std::vector<std::optional<double>>;

std::vector<int64_t> Times(size_t n) {
  std::vector<int64_t> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<int64_t>(i);
  return t;
}

TEST(M4Downsample, AWindowThatFitsIsListedWhole) {
  const std::vector<int64_t> t = Times(4);
  const Values v = {1.0, 2.0, 3.0, 4.0};
  const DisplayPoints d = M4Downsample(t, v, 0, 4, 4, {});
  EXPECT_FALSE(d.downsampled);
  EXPECT_EQ(d.indices, (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(M4Downsample, EachBucketKeepsItsFirstLastMinAndMax) {
  // 12 points at t = 0..11, 8 display points: 2 buckets of 6 ms.
  const std::vector<int64_t> t = Times(12);
  const Values v = {5.0, 1.0, 9.0, 3.0, 4.0, 6.0,   // first 0, min 1, max 2, last 5
                    2.0, 8.0, 7.0, 0.0, 5.0, 3.0};  // first 6, max 7, min 9, last 11
  const DisplayPoints d = M4Downsample(t, v, 0, 12, 8, {});
  EXPECT_TRUE(d.downsampled);
  EXPECT_EQ(d.bucket_ms, 6);
  EXPECT_EQ(d.indices, (std::vector<size_t>{0, 1, 2, 5, 6, 7, 9, 11}));
}

TEST(M4Downsample, AFailedCallIsNeverTheExtremeButCanBeAnEnd) {
  const std::vector<int64_t> t = Times(8);
  const Values v = {
      std::nullopt, 3.0, 1.0, 2.0,            // first 0 (failed), min 2, max 1, last 3
      4.0,          6.0, 5.0, std::nullopt};  // first 4, max 5, last 7 (failed): 4 is min
  const DisplayPoints d = M4Downsample(t, v, 0, 8, 4, {});
  ASSERT_TRUE(d.downsampled);
  EXPECT_EQ(d.bucket_ms, 8);  // one bucket: 4 display points
  EXPECT_EQ(d.indices, (std::vector<size_t>{0, 2, 5, 7}));
}

TEST(M4Downsample, PointsWithAViolationAreKeptAndTakeTheirRoomFirst) {
  const std::vector<int64_t> t = Times(12);
  const Values v = {5.0, 1.0, 9.0, 3.0, 4.0, 6.0, 2.0, 8.0, 7.0, 0.0, 5.0, 3.0};
  // 9 points with one kept: 8 left, 2 buckets; index 3 (neither end nor extreme) is added.
  const std::vector<size_t> keep = {3, 3, 99};  // duplicates and out-of-range ignored
  const DisplayPoints d = M4Downsample(t, v, 0, 12, 9, keep);
  EXPECT_EQ(d.indices, (std::vector<size_t>{0, 1, 2, 3, 5, 6, 7, 9, 11}));
}

TEST(M4Downsample, EveryBucketKeepsItsExtentAndEndsOnRandomData) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> value(6.0, 0.3);
  std::uniform_int_distribution<int64_t> gap(1, 5000);
  const size_t n = 43200;
  std::vector<int64_t> t(n);
  Values v(n);
  int64_t now = 1'700'000'000'000;
  for (size_t i = 0; i < n; ++i) {
    now += gap(rng);
    t[i] = now;
    v[i] = i % 97 == 0 ? std::nullopt : std::optional<double>(value(rng));
  }
  const int64_t since = t.front() - 1000, until = t.back() + 1000;
  const DisplayPoints d = M4Downsample(t, v, since, until, 2000, {});
  ASSERT_TRUE(d.downsampled);
  EXPECT_LE(d.indices.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(d.indices.begin(), d.indices.end()));
  // Bucket by bucket, the kept points span the same values and the same first and last point.
  const int64_t from = t.front();
  auto bucket_of = [&](size_t i) { return (t[i] - from) / d.bucket_ms; };
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    const int64_t b = bucket_of(i);
    double lo = 1e300, hi = -1e300, kept_lo = 1e300, kept_hi = -1e300;
    const size_t first = i;
    size_t last = i;
    for (; i < n && bucket_of(i) == b; ++i) {
      last = i;
      if (v[i]) lo = std::min(lo, *v[i]), hi = std::max(hi, *v[i]);
    }
    ASSERT_LT(k, d.indices.size());
    EXPECT_EQ(d.indices[k], first);
    size_t kept_last = first;
    for (; k < d.indices.size() && bucket_of(d.indices[k]) == b; ++k) {
      kept_last = d.indices[k];
      if (const auto& x = v[d.indices[k]])
        kept_lo = std::min(kept_lo, *x), kept_hi = std::max(kept_hi, *x);
    }
    EXPECT_EQ(kept_last, last);
    EXPECT_EQ(kept_lo, lo);
    EXPECT_EQ(kept_hi, hi);
  }
  EXPECT_EQ(k, d.indices.size());
}

}  // namespace
}  // namespace llmscope::server

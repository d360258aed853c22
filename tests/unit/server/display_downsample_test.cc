// M4 downsampling for display: hand-worked buckets, failed calls, kept violation points, points
// out of time order, and the property that makes it exact for a line chart (each bucket's extent
// and ends survive).
#include "server/display_downsample.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace llmscope::server {
namespace {

using Values = std::vector<std::optional<double>>;

// The indices M4 lists of points i at time i with values[i]; `keep` listed as themselves.
std::vector<size_t> Listed(const Values& values, size_t max_points, std::vector<size_t> keep = {},
                           std::vector<size_t> order = {}) {
  if (order.empty()) {
    for (size_t i = 0; i < values.size(); ++i) order.push_back(i);
  }
  M4Buckets<size_t> m4(
      DisplayBuckets::For(0, static_cast<int64_t>(values.size()), max_points, keep.size()),
      max_points);
  for (size_t i : order) {
    m4.Add(i, static_cast<int64_t>(i), values[i],
           std::find(keep.begin(), keep.end(), i) != keep.end());
  }
  return m4.Take();
}

TEST(DisplayBuckets, AsManyBucketsOfFourAsFitWithTheKeptPointsFirst) {
  const DisplayBuckets b = DisplayBuckets::For(1000, 2000, 2000, 0);
  EXPECT_EQ(b.count, 500u);
  EXPECT_EQ(b.width_ms, 2);
  EXPECT_EQ(b.Of(999), 0u);  // before the window: the first bucket
  EXPECT_EQ(b.Of(1003), 1u);
  EXPECT_EQ(b.Of(5000), 499u);  // after it: the last
  EXPECT_EQ(DisplayBuckets::For(0, 100, 9, 1).count, 2u);
  EXPECT_EQ(DisplayBuckets::For(0, 100, 4, 10).count, 1u);  // at least one
}

TEST(M4Buckets, AWindowThatFitsIsListedWhole) {
  const Values v = {5.0, 1.0, 9.0, 3.0, 4.0, 6.0, 2.0, 8.0};
  EXPECT_EQ(Listed(v, 8), (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Listed(v, 8, {}, {7, 6, 5, 4, 3, 2, 1, 0}), Listed(v, 8));  // in time order
}

TEST(M4Buckets, EachBucketKeepsItsFirstLastMinAndMax) {
  // 12 points at t = 0..11, 8 display points: 2 buckets of 6 ms.
  const Values v = {5.0, 1.0, 9.0, 3.0, 4.0, 6.0,   // first 0, min 1, max 2, last 5
                    2.0, 8.0, 7.0, 0.0, 5.0, 3.0};  // first 6, max 7, min 9, last 11
  EXPECT_EQ(Listed(v, 8), (std::vector<size_t>{0, 1, 2, 5, 6, 7, 9, 11}));
}

TEST(M4Buckets, AFailedCallIsNeverTheExtremeButCanBeAnEnd) {
  const Values v = {std::nullopt, 3.0, 1.0, 2.0,               // first 0 (failed), max 1, min 2
                    4.0,          6.0, 5.0, std::nullopt};     // max 5, min 4, last 7 (failed)
  EXPECT_EQ(Listed(v, 4), (std::vector<size_t>{0, 2, 5, 7}));  // one bucket
}

TEST(M4Buckets, PointsWithAViolationAreKeptAndTakeTheirRoomFirst) {
  const Values v = {5.0, 1.0, 9.0, 3.0, 4.0, 6.0, 2.0, 8.0, 7.0, 0.0, 5.0, 3.0};
  // 9 points with one kept: 8 left, 2 buckets; index 3 (neither end nor extreme) is added.
  EXPECT_EQ(Listed(v, 9, {3}), (std::vector<size_t>{0, 1, 2, 3, 5, 6, 7, 9, 11}));
}

TEST(M4Buckets, PointsOutOfTimeOrderGiveTheSameListing) {
  const Values v = {5.0, 1.0, 9.0, 3.0, 4.0, 6.0, 2.0, 8.0, 7.0, 0.0, 5.0, 3.0};
  const std::vector<size_t> late_first = {11, 3, 0, 7, 5, 1, 9, 2, 10, 4, 8, 6};
  EXPECT_EQ(Listed(v, 8, {}, late_first), Listed(v, 8));
}

TEST(M4Buckets, EveryBucketKeepsItsExtentAndEndsOnRandomData) {
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
  const DisplayBuckets buckets = DisplayBuckets::For(t.front() - 1000, t.back() + 1000, 2000, 0);
  M4Buckets<size_t> m4(buckets, 2000);
  for (size_t i = 0; i < n; ++i) m4.Add(i, t[i], v[i]);
  const std::vector<size_t> listed = m4.Take();
  EXPECT_LE(listed.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));
  // Bucket by bucket, the listed points span the same values and the same first and last point.
  auto bucket_of = [&](size_t i) { return buckets.Of(t[i]); };
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    const size_t b = bucket_of(i);
    double lo = 1e300, hi = -1e300, listed_lo = 1e300, listed_hi = -1e300;
    const size_t first = i;
    size_t last = i;
    for (; i < n && bucket_of(i) == b; ++i) {
      last = i;
      if (v[i]) lo = std::min(lo, *v[i]), hi = std::max(hi, *v[i]);
    }
    ASSERT_LT(k, listed.size());
    EXPECT_EQ(listed[k], first);
    size_t listed_last = first;
    for (; k < listed.size() && bucket_of(listed[k]) == b; ++k) {
      listed_last = listed[k];
      if (const auto& x = v[listed[k]]) {
        listed_lo = std::min(listed_lo, *x);
        listed_hi = std::max(listed_hi, *x);
      }
    }
    EXPECT_EQ(listed_last, last);
    EXPECT_EQ(listed_lo, lo);
    EXPECT_EQ(listed_hi, hi);
  }
  EXPECT_EQ(k, listed.size());
}

}  // namespace
}  // namespace llmscope::server

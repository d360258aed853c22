#include "spc/quantile_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "spc/summary.h"

namespace llmscope::spc {
namespace {

constexpr double kAlpha = QuantileSketch::kRelativeAccuracy;

// A day of a 2 s latency series: lognormal around 800 ms with a heavy upper tail.
std::vector<double> Latencies(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> body(std::log(800.0), 0.35);
  std::exponential_distribution<double> tail(1 / 4000.0);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(i % 97 == 0 ? 800 + tail(rng) : body(rng));
  return v;
}

void ExpectWithinAlphaOfExact(const QuantileSketch& s, std::vector<double> values) {
  std::sort(values.begin(), values.end());
  for (double p : {0.1, 1.0, 25.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
    const double exact = NearestRankPercentile(values, p);
    std::optional<double> got = s.Percentile(p);
    ASSERT_TRUE(got.has_value());
    EXPECT_LE(std::abs(*got - exact), kAlpha * exact * (1 + 1e-9))
        << "p" << p << ": sketch " << *got << ", exact " << exact;
  }
}

TEST(QuantileSketchTest, EveryPercentileIsWithinOnePercentOfTheExactOneOfItsRank) {
  for (int n : {1, 2, 7, 100, 1800, 43'200}) {
    std::vector<double> values = Latencies(n, static_cast<uint32_t>(n));
    QuantileSketch s;
    for (double v : values) s.Add(v);
    EXPECT_EQ(s.count(), n);
    ExpectWithinAlphaOfExact(s, values);
  }
}

TEST(QuantileSketchTest, ValuesSpanningManyDecadesKeepTheBound) {
  std::vector<double> values;
  for (int e = -6; e <= 9; ++e) {
    for (double m : {1.0, 1.5, 2.0, 3.7, 9.99}) values.push_back(m * std::pow(10.0, e));
  }
  QuantileSketch s;
  for (double v : values) s.Add(v);
  ExpectWithinAlphaOfExact(s, values);
}

TEST(QuantileSketchTest, HoursMergedEqualTheSketchOfTheWholeDay) {
  std::vector<double> day = Latencies(43'200, 7);
  QuantileSketch whole;
  for (double v : day) whole.Add(v);
  QuantileSketch merged;
  for (size_t hour = 0; hour < 24; ++hour) {  // in reverse order: merging does not depend on it
    QuantileSketch h;
    for (size_t i = (23 - hour) * 1800; i < (24 - hour) * 1800; ++i) h.Add(day[i]);
    merged.Merge(h);
  }
  EXPECT_EQ(merged, whole);
  EXPECT_EQ(merged.Percentile(95), whole.Percentile(95));
  QuantileSketch empty;
  merged.Merge(empty);
  EXPECT_EQ(merged, whole);
  empty.Merge(whole);
  EXPECT_EQ(empty, whole);
}

TEST(QuantileSketchTest, ZeroAndNegativeValuesReadAsZeroAndNaNIsNotCounted) {
  QuantileSketch s;
  s.Add(0);
  s.Add(-3);
  s.Add(std::nan(""));
  s.Add(0.002);
  s.Add(0.004);
  EXPECT_EQ(s.count(), 4);
  EXPECT_EQ(s.Percentile(50), 0.0);  // rank 2 of 4: the second of the values ≤ 0
  EXPECT_NEAR(*s.Percentile(75), 0.002, 0.002 * kAlpha);
  EXPECT_NEAR(*s.Percentile(100), 0.004, 0.004 * kAlpha);
  s.Add(std::numeric_limits<double>::infinity());  // counted as the largest double
  EXPECT_EQ(s.count(), 5);
  EXPECT_GT(*s.Percentile(100), 1e300);
}

TEST(QuantileSketchTest, AnEmptySketchHasNoPercentile) {
  QuantileSketch s;
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.Percentile(50).has_value());
  Result<QuantileSketch> back = QuantileSketch::Decode(s.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
}

TEST(QuantileSketchTest, EncodingRoundTripsAndIsCompact) {
  QuantileSketch s;
  for (double v : Latencies(1800, 3)) s.Add(v);
  s.Add(0);
  const std::string bytes = s.Encode();
  Result<QuantileSketch> back = QuantileSketch::Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->Encode(), bytes);
  EXPECT_LT(bytes.size(), 600u) << "an hour of a 2 s series: a few hundred bytes";
}

TEST(QuantileSketchTest, BytesItDidNotWriteAreRefused) {
  QuantileSketch s;
  for (double v : {1.0, 10.0, 100.0}) s.Add(v);
  const std::string good = s.Encode();
  const std::vector<std::string> bad = {
      "",
      std::string(1, '\x02') + good.substr(1),  // another version
      good.substr(0, good.size() - 1),         // truncated
      good + '\x01',                           // trailing
      std::string("\x01\x00\x01\x02\x00", 5),  // a bucket counted 0
      std::string("\x01\x00\x02\x02\x01\x00\x01", 7),  // a second index not above the first
      std::string("\x01\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01", 14),  // out of range
  };
  for (const std::string& b : bad) {
    Result<QuantileSketch> got = QuantileSketch::Decode(b);
    ASSERT_FALSE(got.ok()) << "accepted " << b.size() << " bytes";
    EXPECT_EQ(got.error().code, "invalid_sketch");
  }
}

}  // namespace
}  // namespace llmscope::spc

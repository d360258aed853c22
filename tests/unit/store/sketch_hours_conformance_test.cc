// The Store conformance suite, continued: sketch hours (store/sketch_hours.h) stored, replaced,
// read per series and hour range, and kept as long as the hour rollups, for every implementation
// that instantiates StoreConformanceTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "spc/summary.h"
#include "store/sketch_hours.h"
#include "store/sketch_pass.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

constexpr int64_t kHour = kRollupHourMs;
constexpr int64_t kH0 = 1'700'000'000'000 / kHour * kHour;  // an hour's start

const SourceKey kSource = Source("p", "m");
const SourceKey kOther = Source("p", "m", "eu", "long");

// Two hours of a 20 s series: every call measured end to end, every other one streamed (a time
// to first token), every 17th failed (no value of any latency).
std::vector<Sample> TwoHours(const SourceKey& source) {
  std::vector<Sample> out;
  for (int i = 0; i < 360; ++i) {
    Sample s = MakeSample(kH0 + int64_t{i} * 20'000 + 7, source, 500 + (i * 37 % 400));
    if (i % 2 == 0) s.ttft_ms = 100 + (i * 11 % 90);
    if (i % 17 == 0) {
      s.error = true;
      s.error_kind = "timeout";
      s.e2e_ms.reset();
      s.ttft_ms.reset();
    }
    out.push_back(s);
  }
  return out;
}

std::vector<SketchHour> SketchesOf(const std::vector<Sample>& samples) {
  SketchHourBuilder builder;
  for (const Sample& s : samples) builder.Add(s);
  return builder.Take();
}

TEST_P(StoreConformanceTest, SketchHoursRoundTripPerSeriesAndHourRange) {
  std::vector<Sample> samples = TwoHours(kSource);
  std::vector<Sample> other = TwoHours(kOther);
  ASSERT_TRUE(store().AppendSamples(samples).ok());
  ASSERT_TRUE(store().AppendSamples(other).ok());
  std::vector<SketchHour> hours = SketchesOf(samples);
  ASSERT_EQ(hours.size(), 2u);
  std::vector<SketchHour> both = hours;
  for (const SketchHour& h : SketchesOf(other)) both.push_back(h);
  ASSERT_TRUE(store().PutSketchHours(both).ok());

  for (Metric metric : {Metric::kE2eMs, Metric::kTtftMs}) {
    const SeriesKey series{kSource, metric};
    Result<std::vector<SeriesSketchHour>> got =
        store().QuerySketchHours(series, kH0, kH0 + 2 * kHour);
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(got->size(), 2u);
    // Each hour counts the values its hour rollup counts, and reads back what was built.
    RollupQuery q;
    q.width_ms = kHour;
    q.series = series;
    Result<std::vector<Rollup>> rollups = store().QueryRollups(q);
    ASSERT_TRUE(rollups.ok());
    ASSERT_EQ(rollups->size(), 2u);
    for (size_t h = 0; h < 2; ++h) {
      EXPECT_EQ((*got)[h].bucket_ms, kH0 + static_cast<int64_t>(h) * kHour);
      EXPECT_EQ((*got)[h].sketch.count(), (*rollups)[h].value_count) << MetricName(metric);
      Result<spc::QuantileSketch> built =
          spc::QuantileSketch::Decode(hours[h].sketches[*SketchedIndex(metric)]);
      ASSERT_TRUE(built.ok());
      EXPECT_EQ((*got)[h].sketch, *built);
    }
  }
  // The range is since ≤ bucket < until; a metric without values has no hours.
  Result<std::vector<SeriesSketchHour>> second =
      store().QuerySketchHours(SeriesKey{kSource, Metric::kE2eMs}, kH0 + 1, kH0 + 2 * kHour);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(second->front().bucket_ms, kH0 + kHour);
  Result<std::vector<SeriesSketchHour>> cost =
      store().QuerySketchHours(SeriesKey{kSource, Metric::kCostUsd}, kH0, kH0 + 2 * kHour);
  ASSERT_TRUE(cost.ok());
  EXPECT_TRUE(cost->empty());
  Result<std::vector<SeriesSketchHour>> error =
      store().QuerySketchHours(SeriesKey{kSource, Metric::kError}, kH0, kH0 + 2 * kHour);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, "invalid_argument");
}

TEST_P(StoreConformanceTest, TheSketchesOfAWindowMergedAreWithinOnePercentOfItsPercentiles) {
  std::vector<Sample> samples = TwoHours(kSource);
  ASSERT_TRUE(store().AppendSamples(samples).ok());
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(samples)).ok());
  Result<std::vector<SeriesSketchHour>> got =
      store().QuerySketchHours(SeriesKey{kSource, Metric::kE2eMs}, kH0, kH0 + 2 * kHour);
  ASSERT_TRUE(got.ok());
  spc::QuantileSketch merged;
  for (const SeriesSketchHour& h : *got) merged.Merge(h.sketch);
  std::vector<double> values;
  for (const Sample& s : samples) {
    if (s.e2e_ms) values.push_back(*s.e2e_ms);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 95.0, 99.0}) {
    const double exact = spc::NearestRankPercentile(values, p);
    EXPECT_NEAR(*merged.Percentile(p), exact, exact * spc::QuantileSketch::kRelativeAccuracy);
  }
}

TEST_P(StoreConformanceTest, PuttingAnHourAgainReplacesIt) {
  std::vector<Sample> samples = TwoHours(kSource);
  std::vector<Sample> first_half(samples.begin(), samples.begin() + 90);
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(first_half)).ok());
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(samples)).ok());  // the late samples came
  Result<std::vector<SeriesSketchHour>> got =
      store().QuerySketchHours(SeriesKey{kSource, Metric::kE2eMs}, kH0, kH0 + kHour);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  int64_t values = 0;
  for (size_t i = 0; i < 180; ++i) values += samples[i].e2e_ms.has_value();
  EXPECT_EQ(got->front().sketch.count(), values);
}

TEST_P(StoreConformanceTest, TheNewestSketchHourIsPerSource) {
  Result<std::optional<int64_t>> none = store().NewestSketchHour(kSource);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());
  std::vector<Sample> samples = TwoHours(kSource);
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(samples)).ok());
  EXPECT_EQ(store().NewestSketchHour(kSource)->value_or(0), kH0 + kHour);
  EXPECT_FALSE(store().NewestSketchHour(kOther)->has_value());
}

TEST_P(StoreConformanceTest, SketchHoursAreKeptAsLongAsTheHourRollups) {
  std::vector<Sample> samples = TwoHours(kSource);
  ASSERT_TRUE(store().AppendSamples(samples).ok());
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(samples)).ok());
  const SeriesKey series{kSource, Metric::kE2eMs};
  ASSERT_TRUE(store().DeleteRollupsOlderThan(kRollupMinuteMs, kH0 + 2 * kHour).ok());
  EXPECT_EQ(store().QuerySketchHours(series, kH0, kH0 + 2 * kHour)->size(), 2u);
  Result<int64_t> deleted = store().DeleteRollupsOlderThan(kHour, kH0 + kHour);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1 + 1);  // the first hour's rollup row and its sketch row
  Result<std::vector<SeriesSketchHour>> left = store().QuerySketchHours(series, kH0, kH0 + 2 * kHour);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().bucket_ms, kH0 + kHour);
}

TEST_P(StoreConformanceTest, DeletingTheDemoDeletesItsSketchHours) {
  std::vector<Sample> demo = TwoHours(kSource);
  std::vector<Sample> real = TwoHours(kOther);
  ASSERT_TRUE(store().AppendSamples(demo).ok());
  ASSERT_TRUE(store().AppendSamples(real).ok());
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(demo)).ok());
  ASSERT_TRUE(store().PutSketchHours(SketchesOf(real)).ok());
  ASSERT_TRUE(store().MarkDemoSource(kSource, 1).ok());
  ASSERT_TRUE(store().DeleteDemoData().ok());
  EXPECT_FALSE(store().NewestSketchHour(kSource)->has_value());
  EXPECT_EQ(store().NewestSketchHour(kOther)->value_or(0), kH0 + kHour);
}

TEST_P(StoreConformanceTest, TheSketchPassBuildsEachClosedHourOnce) {
  std::vector<Sample> samples = TwoHours(kSource);
  std::vector<Sample> open = {MakeSample(kH0 + 2 * kHour + 5, kSource, 700)};  // the hour of now
  ASSERT_TRUE(store().AppendSamples(samples).ok());
  ASSERT_TRUE(store().AppendSamples(open).ok());
  const int64_t now = kH0 + 2 * kHour + 60'000;
  Result<SketchPassResult> first = RunSketchPass(store(), kH0, now, 100);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->hours_built, 2);
  EXPECT_EQ(first->samples_read, 360);
  EXPECT_TRUE(first->complete);
  EXPECT_EQ(store().NewestSketchHour(kSource)->value_or(0), kH0 + kHour);  // not the open hour
  const std::vector<SketchHour> expected = SketchesOf(samples);
  for (Metric metric : {Metric::kE2eMs, Metric::kTtftMs}) {
    Result<std::vector<SeriesSketchHour>> got =
        store().QuerySketchHours(SeriesKey{kSource, metric}, kH0, now);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 2u);
    for (size_t h = 0; h < 2; ++h) {
      EXPECT_EQ((*got)[h].sketch.Encode(), expected[h].sketches[*SketchedIndex(metric)]);
    }
  }
  Result<SketchPassResult> again = RunSketchPass(store(), kH0, now, 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->hours_built, 0);
  EXPECT_EQ(again->samples_read, 0);
}

TEST_P(StoreConformanceTest, TheSketchPassRebuildsAnHourThatGotLateSamples) {
  std::vector<Sample> samples = TwoHours(kSource);
  ASSERT_TRUE(store().AppendSamples(samples).ok());
  const int64_t now = kH0 + 3 * kHour;
  ASSERT_TRUE(RunSketchPass(store(), kH0, now, 100).ok());
  std::vector<Sample> late = {MakeSample(kH0 + 600'000 + 3, kSource, 9'999)};  // a spooled probe's
  ASSERT_TRUE(store().AppendSamples(late).ok());
  Result<SketchPassResult> pass = RunSketchPass(store(), kH0, now, 100);
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->hours_built, 1);
  Result<std::vector<SeriesSketchHour>> got =
      store().QuerySketchHours(SeriesKey{kSource, Metric::kE2eMs}, kH0, kH0 + kHour);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_GT(*got->front().sketch.Percentile(100), 9'800.0);  // the late value is in it
}

TEST_P(StoreConformanceTest, TheSketchPassStopsAtItsBudgetAndGoesOnNextTime) {
  std::vector<Sample> samples = TwoHours(kSource);
  std::vector<Sample> other = TwoHours(kOther);
  ASSERT_TRUE(store().AppendSamples(samples).ok());
  ASSERT_TRUE(store().AppendSamples(other).ok());
  const int64_t now = kH0 + 3 * kHour;
  Result<SketchPassResult> first = RunSketchPass(store(), kH0, now, 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->hours_built, 3);
  EXPECT_FALSE(first->complete);
  Result<SketchPassResult> second = RunSketchPass(store(), kH0, now, 3);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->hours_built, 1);
  EXPECT_TRUE(second->complete);
  // Hours before since_ms are left alone.
  std::vector<Sample> older = {MakeSample(kH0 - kHour + 9, kSource, 300)};
  ASSERT_TRUE(store().AppendSamples(older).ok());
  EXPECT_EQ(RunSketchPass(store(), kH0, now, 3)->hours_built, 0);
  EXPECT_EQ(RunSketchPass(store(), kH0 - kHour, now, 3)->hours_built, 1);
}

}  // namespace
}  // namespace llmscope::store::conformance

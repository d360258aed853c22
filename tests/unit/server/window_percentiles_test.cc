// WindowSketch on a real SQLite store: the percentiles of a window read from rollups, from the
// stored sketches of its whole closed hours and the samples of the rest, within 1 % of the exact
// ones; from the sketches alone where the samples are gone; none where neither holds an hour.
#include "server/window_percentiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "spc/summary.h"
#include "store/open_store.h"
#include "store/sketch_pass.h"
#include "support/temp_dir.h"

namespace llmscope::server {
namespace {

constexpr int64_t kHour = store::kRollupHourMs;
constexpr int64_t kH0 = 1'700'000'000'000 / kHour * kHour;
constexpr int64_t kStepMs = 10'000;
constexpr int kPoints = 5 * 360 + 100;  // five hours and 1,000 s of a 10 s series
const SeriesKey kSeries{SourceKey{"p", "m", "", ""}, Metric::kE2eMs};

class WindowPercentiles : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> opened = store::OpenStore("sqlite://" + dir_.File("db"));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    std::vector<Sample> batch;
    for (int i = 0; i < kPoints; ++i) {
      Sample s;
      s.source = kSeries.source;
      s.time_ms = kH0 + kStepMs * i + 3;
      s.e2e_ms = 400.0 + (i * 7919 % 1000) + (i % 250 == 0 ? 5000 : 0);
      if (i % 23 == 0) {
        s.error = true;
        s.e2e_ms.reset();
      }
      batch.push_back(s);
    }
    samples_ = batch;
    ASSERT_TRUE(store_->AppendSamples(batch).ok());
    ASSERT_TRUE(cache_.Load(*store_).ok());
  }

  // The exact nearest-rank percentiles of the window's values, against the sketch's.
  void ExpectWithinOnePercent(const spc::QuantileSketch& sketch, int64_t since, int64_t until) {
    std::vector<double> values;
    for (const Sample& s : samples_) {
      if (s.time_ms >= since && s.time_ms < until && s.e2e_ms) values.push_back(*s.e2e_ms);
    }
    std::sort(values.begin(), values.end());
    ASSERT_EQ(sketch.count(), static_cast<int64_t>(values.size()));
    for (double p : {50.0, 95.0, 99.0}) {
      const double exact = spc::NearestRankPercentile(values, p);
      EXPECT_NEAR(*sketch.Percentile(p), exact, exact * 0.01 * (1 + 1e-9)) << "p" << p;
    }
  }

  // Without the window's value count: every closed hour checked against its hour rollup.
  Result<std::optional<spc::QuantileSketch>> Sketch(int64_t since, int64_t until, int64_t now) {
    return WindowSketch(kSeries, since, until, now, std::nullopt, *store_, cache_);
  }

  // The window's values as its rollups count them (the reply's summary count).
  int64_t ValuesIn(int64_t since, int64_t until) const {
    return std::count_if(samples_.begin(), samples_.end(), [&](const Sample& s) {
      return s.time_ms >= since && s.time_ms < until && s.e2e_ms.has_value();
    });
  }

  llmscope::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::vector<Sample> samples_;
  // The newest 400 samples (the open hour's and some of the hour before): the rest is read from
  // the store.
  RecentSamples cache_{400, 1000};
};

TEST_F(WindowPercentiles, RaggedEndsAndTwoUnsketchedHoursComeFromTheSamples) {
  const int64_t now = kH0 + kPoints * kStepMs;  // in the sixth hour, still open
  const int64_t since = kH0 + 2 * kHour + 1234'567, until = kH0 + 4 * kHour + 777'000;
  Result<std::optional<spc::QuantileSketch>> got = Sketch(since, until, now);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  ExpectWithinOnePercent(**got, since, until);
  // An open window: to the newest sample, the open hour included.
  Result<std::optional<spc::QuantileSketch>> open = Sketch(since, INT64_MAX, now);
  ASSERT_TRUE(open.ok() && open->has_value());
  ExpectWithinOnePercent(**open, since, INT64_MAX);
  // Three closed hours without a sketch (the first sketch pass is still running): left out.
  Result<std::optional<spc::QuantileSketch>> long_window = Sketch(kH0, INT64_MAX, now);
  ASSERT_TRUE(long_window.ok());
  EXPECT_FALSE(long_window->has_value());
  ASSERT_TRUE(store::RunSketchPass(*store_, kH0, now, 3).ok());  // three of five: two left
  Result<std::optional<spc::QuantileSketch>> caught_up = Sketch(kH0, INT64_MAX, now);
  ASSERT_TRUE(caught_up.ok() && caught_up->has_value());
  ExpectWithinOnePercent(**caught_up, kH0, INT64_MAX);
}

TEST_F(WindowPercentiles, SketchedHoursNeedNoSamples) {
  const int64_t now = kH0 + kPoints * kStepMs;
  ASSERT_TRUE(store::RunSketchPass(*store_, kH0, now, 100).ok());
  Result<std::optional<spc::QuantileSketch>> sketched = Sketch(kH0 + 100, INT64_MAX, now);
  ASSERT_TRUE(sketched.ok() && sketched->has_value());
  ExpectWithinOnePercent(**sketched, kH0 + 100, INT64_MAX);
  // Told the window's value count, the sketches that count as many are the answer.
  Result<std::optional<spc::QuantileSketch>> told = WindowSketch(
      kSeries, kH0 + 100, INT64_MAX, now, ValuesIn(kH0 + 100, INT64_MAX), *store_, cache_);
  ASSERT_TRUE(told.ok() && told->has_value());
  EXPECT_EQ(**told, **sketched);
  // Retention deletes the samples of the first three hours: their sketches still answer, and
  // the window's values are the same.
  ASSERT_TRUE(store_->DeleteOlderThan(kH0 + 3 * kHour).ok());
  Result<std::optional<spc::QuantileSketch>> after = Sketch(kH0, INT64_MAX, now);
  ASSERT_TRUE(after.ok() && after->has_value());
  ExpectWithinOnePercent(**after, kH0, INT64_MAX);
}

TEST_F(WindowPercentiles, ALateSampleInASketchedHourIsCountedBeforeTheNextPass) {
  const int64_t now = kH0 + kPoints * kStepMs;
  ASSERT_TRUE(store::RunSketchPass(*store_, kH0, now, 100).ok());
  Sample late;
  late.source = kSeries.source;
  late.time_ms = kH0 + kHour + 99;
  late.e2e_ms = 1e6;  // above every other value: p100 shows whether it is counted
  std::vector<Sample> batch = {late};
  ASSERT_TRUE(store_->AppendSamples(batch).ok());
  samples_.push_back(late);
  const int64_t values = ValuesIn(kH0, INT64_MAX);  // the rollups count the late sample
  Result<std::optional<spc::QuantileSketch>> got =
      WindowSketch(kSeries, kH0, INT64_MAX, now, values, *store_, cache_);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->count(), values);
  EXPECT_GT(*(*got)->Percentile(100), 0.99e6);
}

TEST_F(WindowPercentiles, AnHourInNeitherASketchNorTheSamplesLeavesThemOut) {
  const int64_t now = kH0 + kPoints * kStepMs;
  ASSERT_TRUE(store::RunSketchPass(*store_, kH0 + kHour, now, 100).ok());  // not the first hour
  ASSERT_TRUE(store_->DeleteOlderThan(kH0 + 2 * kHour).ok());
  Result<std::optional<spc::QuantileSketch>> got = Sketch(kH0, INT64_MAX, now);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_FALSE(got->has_value());
  // Windows after those hours still have them.
  Result<std::optional<spc::QuantileSketch>> later = Sketch(kH0 + 2 * kHour, INT64_MAX, now);
  ASSERT_TRUE(later.ok() && later->has_value());
  ExpectWithinOnePercent(**later, kH0 + 2 * kHour, INT64_MAX);
}

TEST_F(WindowPercentiles, TheErrorSeriesHasNoPercentiles) {
  Result<std::optional<spc::QuantileSketch>> got =
      WindowSketch(SeriesKey{kSeries.source, Metric::kError}, kH0, INT64_MAX,
                   kH0 + kPoints * kStepMs, std::nullopt, *store_, cache_);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

}  // namespace
}  // namespace llmscope::server

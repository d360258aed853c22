// rollup_window.h: the rollup width a display bucket allows, display buckets aligned to it, and
// a window covered by whole rollup buckets with samples at its ends.
#include "server/rollup_window.h"

#include <gtest/gtest.h>

#include <vector>

namespace llmscope::server {
namespace {

constexpr int64_t kMinute = 60'000, kHour = 3'600'000;

TEST(RollupWindow, TheCoarsestWidthNoWiderThanTheDisplayBucket) {
  EXPECT_EQ(RollupWidthFor(59'999), std::nullopt);
  EXPECT_EQ(RollupWidthFor(kMinute), kMinute);
  EXPECT_EQ(RollupWidthFor(kHour - 1), kMinute);
  EXPECT_EQ(RollupWidthFor(kHour), kHour);
  EXPECT_EQ(RollupWidthFor(90 * 86'400'000LL), kHour);
}

TEST(RollupWindow, AlignedBucketsAreWholeRollupBucketsAndNoMoreThanBefore) {
  const int64_t since = 1'700'000'012'345;
  const int64_t until = since + 7 * 86'400'000LL;
  const DisplayBuckets wanted = DisplayBuckets::For(since, until, 2000, 200);
  const DisplayBuckets aligned = AlignedBuckets(wanted, kMinute, until);
  EXPECT_EQ(aligned.since_ms % kMinute, 0);
  EXPECT_LE(aligned.since_ms, since);
  EXPECT_GT(aligned.since_ms, since - kMinute);
  EXPECT_EQ(aligned.width_ms % kMinute, 0);
  EXPECT_GE(aligned.width_ms, wanted.width_ms);
  EXPECT_LT(aligned.width_ms, wanted.width_ms + kMinute);
  EXPECT_LE(aligned.count, wanted.count);
  EXPECT_EQ(aligned.Of(until - 1), aligned.count - 1);
}

TEST(RollupWindow, ACoverIsHoursThenMinutesThenSamplesAtEachEnd) {
  const int64_t h = 1'700'002'800'000;  // an hour's edge
  ASSERT_EQ(h % kHour, 0);
  const int64_t since = h - 2 * kMinute - 5'000, until = h + 3 * kHour + 4 * kMinute + 7'000;
  const std::vector<WindowSegment> want = {
      {since, h - 2 * kMinute, 0},
      {h - 2 * kMinute, h, kMinute},
      {h, h + 3 * kHour, kHour},
      {h + 3 * kHour, h + 3 * kHour + 4 * kMinute, kMinute},
      {h + 3 * kHour + 4 * kMinute, until, 0},
  };
  EXPECT_EQ(CoverWindow(since, until, kHour), want);
  // Minutes only when the display bucket is under an hour; no empty pieces on edges.
  EXPECT_EQ(CoverWindow(h, h + 30 * kMinute, kMinute),
            (std::vector<WindowSegment>{{h, h + 30 * kMinute, kMinute}}));
  // A window inside one minute is samples alone.
  EXPECT_EQ(CoverWindow(h + 1'000, h + 2'000, kHour),
            (std::vector<WindowSegment>{{h + 1'000, h + 2'000, 0}}));
}

// A rollup of `count` samples of one series at `width` from `bucket`.
store::Rollup RollupOf(int64_t width, int64_t bucket, int64_t count) {
  store::Rollup r;
  r.width_ms = width;
  r.bucket_ms = bucket;
  r.count = count;
  return r;
}

TEST(RollupWindow, HoursWhoseMinutesArePastTheirRetentionAreFilledFromTheHourRollups) {
  const int64_t h = 1'700'002'800'000;
  // Hour 0's minutes are gone, hour 1 lost its first half hour's, hour 2 has them all.
  std::vector<store::Rollup> minutes;
  for (int m = 30; m < 60; ++m) minutes.push_back(RollupOf(kMinute, h + kHour + m * kMinute, 30));
  for (int m = 0; m < 60; ++m)
    minutes.push_back(RollupOf(kMinute, h + 2 * kHour + m * kMinute, 30));
  const std::vector<store::Rollup> hours = {RollupOf(kHour, h, 1800),
                                            RollupOf(kHour, h + kHour, 1800),
                                            RollupOf(kHour, h + 2 * kHour, 1800)};
  const std::vector<store::Rollup> filled = FillFromCoarser(minutes, hours);
  ASSERT_EQ(filled.size(), 2u + 60u);
  EXPECT_EQ(filled[0], hours[0]);
  EXPECT_EQ(filled[1], hours[1]);
  for (int m = 0; m < 60; ++m) EXPECT_EQ(filled[2 + m], minutes[30 + m]);
  int64_t count = 0;
  for (const store::Rollup& r : filled) count += r.count;
  EXPECT_EQ(count, 3 * 1800);

  // Every minute kept: the minutes, unchanged; no hour rollups (a window of less than an hour):
  // the minutes, whatever they lack.
  std::vector<store::Rollup> whole_hour(minutes.begin() + 30, minutes.end());
  EXPECT_EQ(FillFromCoarser(whole_hour, {hours[2]}), whole_hour);
  EXPECT_EQ(FillFromCoarser(minutes, {}), minutes);
}

TEST(RollupWindow, ViolationCountsPastMinuteRetentionAreFilledFromTheirHour) {
  constexpr int64_t kHour = store::kRollupHourMs, kMinute = store::kRollupMinuteMs;
  const int64_t h = 472'222 * kHour;
  auto count = [](int64_t width, int64_t bucket, spc::Rule rule, int64_t n) {
    store::ViolationCount c;
    c.width_ms = width;
    c.bucket_ms = bucket;
    c.rule = rule;
    c.count = n;
    return c;
  };
  // The first hour's minutes are gone; the second hour's are all there.
  const std::vector<store::ViolationCount> minutes = {
      count(kMinute, h + kHour + 5 * kMinute, spc::Rule::kR1, 2),
      count(kMinute, h + kHour + 9 * kMinute, spc::Rule::kR2, 1)};
  const std::vector<store::ViolationCount> hours = {count(kHour, h, spc::Rule::kR1, 4),
                                                    count(kHour, h, spc::Rule::kR5, 1),
                                                    count(kHour, h + kHour, spc::Rule::kR1, 2),
                                                    count(kHour, h + kHour, spc::Rule::kR2, 1)};
  const std::vector<store::ViolationCount> expected = {hours[0], hours[1], minutes[0], minutes[1]};
  EXPECT_EQ(FillFromCoarser(minutes, hours), expected);
  EXPECT_EQ(FillFromCoarser(minutes, {}), minutes);
}

}  // namespace
}  // namespace llmscope::server

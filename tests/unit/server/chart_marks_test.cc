// The marks of a window read from rollups (server/chart_marks.h): per display bucket and rule
// with a count, the listed violations on their own and out of their bucket's count.
#include "server/chart_marks.h"

#include <gtest/gtest.h>

namespace llmscope::server {
namespace {

using spc::Rule;

// Four buckets of 10 s from 0.
constexpr DisplayBuckets kBuckets{0, 10'000, 4};

TEST(ChartMarks, ABucketsCountIsMarkedAtItsHighestPoint) {
  BucketCounts counts{{{0, Rule::kR1}, 3}, {{2, Rule::kR1}, 1}, {{2, Rule::kR5}, 2}};
  const std::vector<DisplayPoint> points = {
      {1'000, 5.0}, {4'000, 9.0}, {8'000, std::nullopt}, {21'000, 2.0}, {25'000, 7.0}};
  EXPECT_EQ(BucketMarks(kBuckets, counts, {}, points),
            (std::vector<ChartMark>{{std::nullopt, 4'000, Rule::kR1, 3},
                                    {std::nullopt, 25'000, Rule::kR1, 1},
                                    {std::nullopt, 25'000, Rule::kR5, 2}}));
}

TEST(ChartMarks, AListedViolationIsMarkedOnItsOwnAndLeavesItsBucketsCount) {
  BucketCounts counts{{{1, Rule::kR1}, 2}, {{3, Rule::kShift}, 1}};
  const std::vector<store::ViolationMark> listed = {
      {41, 12'000, Rule::kR1, spc::Phase::kMonitoring},
      {42, 33'000, Rule::kShift, spc::Phase::kMonitoring},
      {43, 13'000, Rule::kR2, spc::Phase::kBaseline},  // not marked
  };
  // Bucket 1 shows no point with a value: its mark is at its middle.
  EXPECT_EQ(BucketMarks(kBuckets, counts, listed, {{11'000, std::nullopt}}),
            (std::vector<ChartMark>{{41, 12'000, Rule::kR1, 1},
                                    {std::nullopt, 15'000, Rule::kR1, 1},
                                    {42, 33'000, Rule::kShift, 1}}));
}

}  // namespace
}  // namespace llmscope::server

// Spend grouped from cost_usd rollups (server/cost_report.h).
#include "server/cost_report.h"

#include <gtest/gtest.h>

namespace llmscope::server {
namespace {

store::Rollup Bucket(const std::string& model, int64_t bucket_ms, double spend, int64_t calls,
                     Metric metric = Metric::kCostUsd) {
  store::Rollup r;
  r.series = SeriesKey{SourceKey{"openai", model, "", ""}, metric};
  r.width_ms = store::kRollupHourMs;
  r.bucket_ms = bucket_ms;
  r.count = calls;
  r.value_count = calls;
  r.value_sum = spend;
  return r;
}

TEST(CostReportTest, GroupsByModelAndDay) {
  const int64_t day = 86'400'000;
  const std::vector<store::Rollup> rollups = {
      Bucket("gpt-4o", 0, 1.0, 100), Bucket("gpt-4o", day + 3'600'000, 3.0, 100),
      Bucket("gpt-4o-mini", 0, 0.5, 1000), Bucket("gpt-4o", 0, 99, 1, Metric::kE2eMs)};
  const std::vector<CostRow> by_model = GroupCost(rollups, {CostDimension::kModel});
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].provider, "openai") << "a model is grouped with its provider";
  EXPECT_EQ(by_model[0].model, "gpt-4o");
  EXPECT_DOUBLE_EQ(by_model[0].spend_usd, 4.0);
  EXPECT_EQ(by_model[0].calls, 200);
  EXPECT_DOUBLE_EQ(*by_model[0].usd_per_1000_calls, 20.0);
  const std::vector<CostRow> by_day = GroupCost(rollups, {CostDimension::kDay});
  ASSERT_EQ(by_day.size(), 2u);
  EXPECT_EQ(by_day[0].day, "1970-01-01");
  EXPECT_EQ(by_day[0].model, "");
  EXPECT_DOUBLE_EQ(by_day[0].spend_usd, 1.5);
  EXPECT_EQ(by_day[1].day, "1970-01-02");
  EXPECT_EQ(ParseCostDimension("week"), std::nullopt);
}

}  // namespace
}  // namespace llmscope::server

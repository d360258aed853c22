// The Store conformance suite, continued: CountSamplesByDay (store.h), the status page's samples
// and failed calls per source per UTC day, for every implementation that instantiates
// StoreConformanceTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "store/daily_sample_count.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

constexpr int64_t kDay0 = 20000;  // 2024-10-04, a UTC day number
constexpr int64_t kHour = 3'600'000;

Sample Failed(int64_t time_ms, SourceKey source) {
  Sample s = MakeSample(time_ms, std::move(source));
  s.e2e_ms.reset();
  s.error = true;
  s.error_kind = "timeout";
  return s;
}

// The rows as (provider, model, site, profile, day, samples, errors), sorted.
using Row =
    std::tuple<std::string, std::string, std::string, std::string, int64_t, int64_t, int64_t>;
std::vector<Row> Sorted(const std::vector<DailySampleCount>& counts) {
  std::vector<Row> rows;
  for (const DailySampleCount& c : counts) {
    rows.emplace_back(c.source.provider, c.source.model, c.source.site, c.source.profile, c.day,
                      c.samples, c.errors);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST_P(StoreConformanceTest, CountSamplesByDayGroupsBySourceAndUtcDay) {
  const SourceKey a = Source("ollama", "llama3");
  const SourceKey b = Source("openai", "gpt-4o <\"x\">", "eu", "long ✓");
  const int64_t day0 = kDay0 * kDayMs, day1 = (kDay0 + 1) * kDayMs;
  std::vector<Sample> samples = {
      MakeSample(day0 - 1, a),          // the day before: outside the window below
      MakeSample(day0, a),              // the first millisecond of day 0
      Failed(day0 + 5 * kHour, a),      //
      MakeSample(day1 - 1, a),          // the last millisecond of day 0
      MakeSample(day1, a),              // day 1
      Failed(day1 + kHour, b),          //
      Failed(day1 + 2 * kHour, b),      //
      MakeSample(day1 + 3 * kHour, b),  //
  };
  ASSERT_TRUE(store().AppendSamples(samples).ok());

  Result<std::vector<DailySampleCount>> counts = store().CountSamplesByDay(day0, day1 + kDayMs);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(Sorted(*counts),
            (std::vector<Row>{{"ollama", "llama3", "", "", kDay0, 3, 1},
                              {"ollama", "llama3", "", "", kDay0 + 1, 1, 0},
                              {"openai", "gpt-4o <\"x\">", "eu", "long ✓", kDay0 + 1, 3, 2}}));
}

TEST_P(StoreConformanceTest, CountSamplesByDayCountsOnlyTheWindow) {
  const SourceKey a = Source("ollama", "llama3");
  const int64_t day0 = kDay0 * kDayMs;
  std::vector<Sample> samples = {MakeSample(day0 + kHour, a), MakeSample(day0 + 2 * kHour, a),
                                 MakeSample(day0 + 3 * kHour, a)};
  ASSERT_TRUE(store().AppendSamples(samples).ok());

  Result<std::vector<DailySampleCount>> counts =
      store().CountSamplesByDay(day0 + 2 * kHour, day0 + 3 * kHour);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(Sorted(*counts), (std::vector<Row>{{"ollama", "llama3", "", "", kDay0, 1, 0}}))
      << "since is inclusive, until exclusive";

  counts = store().CountSamplesByDay(day0 + kDayMs, day0 + 2 * kDayMs);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_TRUE(counts->empty()) << "a day without samples has no row";
}

}  // namespace
}  // namespace llmscope::store::conformance

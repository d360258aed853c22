// The Store conformance suite, continued: violation counts (store/violation_counts.h) kept by the
// violation writes, rebuilt from the violation rows, and kept as long as the rollups, for every
// implementation that instantiates StoreConformanceTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "store/store.h"
#include "store/violation_counts.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // not on a bucket edge

const SeriesKey kA{Source("p", "m"), Metric::kE2eMs};
const SeriesKey kB{Source("p", "m", "eu", "long"), Metric::kTtftMs};

auto KeyOf(const ViolationCount& c) {
  return std::tuple(c.series, c.width_ms, c.bucket_ms, c.rule, c.phase);
}

std::vector<ViolationCount> Sorted(std::vector<ViolationCount> counts) {
  std::sort(counts.begin(), counts.end(),
            [](const ViolationCount& a, const ViolationCount& b) { return KeyOf(a) < KeyOf(b); });
  return counts;
}

// Every count of the two series, both widths.
std::vector<ViolationCount> AllCounts(Store& store) {
  std::vector<ViolationCount> all;
  for (const SeriesKey& series : {kA, kB}) {
    for (int64_t width : kRollupWidthsMs) {
      Result<std::vector<ViolationCount>> got =
          store.QueryViolationCounts(ViolationCountQuery{series, width});
      EXPECT_TRUE(got.ok()) << got.error().message;
      if (got.ok()) all.insert(all.end(), got->begin(), got->end());
    }
  }
  return Sorted(all);
}

// The counts of the violation rows stored, counted here one row at a time.
std::vector<ViolationCount> ExpectedCounts(Store& store) {
  ViolationQuery q;
  q.limit = 1'000'000;
  q.context = ViolationQuery::Context::kNone;
  Result<std::vector<ViolationRecord>> rows = store.QueryViolations(q);
  EXPECT_TRUE(rows.ok());
  std::vector<const ViolationRecord*> each;
  for (const ViolationRecord& v : *rows) each.push_back(&v);
  return Sorted(CountsOfInserted(each));
}

ViolationRecord Event(const SeriesKey& series, int i) {
  ViolationRecord v;
  v.series = series;
  v.rule = i % 4 == 0 ? spc::Rule::kR1 : (i % 4 == 1 ? spc::Rule::kR2 : spc::Rule::kShift);
  v.phase = i % 9 == 0 ? spc::Phase::kBaseline : spc::Phase::kMonitoring;
  v.stage = 1;
  v.first_index = v.last_index = i;
  v.count = 1;
  v.first_time_ms = v.last_time_ms = kT0 + int64_t{i} * 47'000;  // 2 h 20 min of them
  v.context_json = "{}";
  return v;
}

// 180 violations of two series, written in flushes (with extent updates of earlier ones) and
// one at a time.
void WriteHistory(Store& store) {
  std::vector<ViolationRecord> written;
  for (int i = 0; i < 180; ++i) {
    if (i % 10 == 7) {
      ViolationRecord one = Event(kB, i);
      ASSERT_TRUE(store.InsertViolation(one).ok());
      continue;
    }
    written.push_back(Event(i % 3 == 0 ? kB : kA, i));
  }
  for (size_t at = 0; at < written.size(); at += 25) {
    std::vector<ViolationRecord*> flush;
    for (size_t i = at; i < std::min(written.size(), at + 25); ++i) flush.push_back(&written[i]);
    if (at > 0) {  // an earlier event grows: an extent update, not a new violation
      written[at - 1].last_index += 3;
      written[at - 1].count += 3;
      flush.push_back(&written[at - 1]);
    }
    ASSERT_TRUE(store.WriteViolations(flush).ok());
  }
}

TEST_P(StoreConformanceTest, ViolationCountsKeptLiveEqualACountOfTheViolationRows) {
  WriteHistory(store());
  const std::vector<ViolationCount> live = AllCounts(store());
  EXPECT_EQ(live, ExpectedCounts(store()));
  int64_t minutes = 0;
  for (const ViolationCount& c : live) minutes += c.width_ms == kRollupMinuteMs ? c.count : 0;
  EXPECT_EQ(minutes, 180);  // each violation once per width
}

TEST_P(StoreConformanceTest, ViolationCountsRebuiltEqualTheLiveOnes) {
  WriteHistory(store());
  const std::vector<ViolationCount> live = AllCounts(store());
  ASSERT_TRUE(store().RebuildRollups(INT64_MIN).ok());
  EXPECT_EQ(AllCounts(store()), live);
  ASSERT_TRUE(store().RebuildRollups(kT0 + 3'600'000).ok());  // from an hour inside on
  EXPECT_EQ(AllCounts(store()), live);
}

TEST_P(StoreConformanceTest, ViolationCountsOfABucketRangeAreRead) {
  WriteHistory(store());
  const int64_t since = BucketStart(kT0, kRollupMinuteMs) + 10 * kRollupMinuteMs;
  const int64_t until = since + 30 * kRollupMinuteMs;
  Result<std::vector<ViolationCount>> got =
      store().QueryViolationCounts(ViolationCountQuery{kA, kRollupMinuteMs, since, until});
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<ViolationCount> expected;
  for (const ViolationCount& c : ExpectedCounts(store())) {
    if (c.series == kA && c.width_ms == kRollupMinuteMs && c.bucket_ms >= since &&
        c.bucket_ms < until) {
      expected.push_back(c);
    }
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(Sorted(*got), expected);
  for (size_t i = 1; i < got->size(); ++i) {
    EXPECT_LE((*got)[i - 1].bucket_ms, (*got)[i].bucket_ms);  // by bucket
  }
}

TEST_P(StoreConformanceTest, RetentionDeletesViolationCountsWithTheRollups) {
  WriteHistory(store());
  std::vector<ViolationCount> before = AllCounts(store());
  const int64_t cutoff = kT0 + 5'400'000;
  ASSERT_TRUE(store().DeleteOlderThan(cutoff).ok());
  EXPECT_EQ(AllCounts(store()), before);  // the violations' retention leaves the counts alone
  ASSERT_TRUE(store().DeleteRollupsOlderThan(kRollupMinuteMs, cutoff).ok());
  std::erase_if(before, [&](const ViolationCount& c) {
    return c.width_ms == kRollupMinuteMs && c.bucket_ms < cutoff;
  });
  EXPECT_EQ(AllCounts(store()), before);
  ASSERT_TRUE(store().DeleteRollupsOlderThan(kRollupHourMs, INT64_MAX).ok());
  std::erase_if(before, [](const ViolationCount& c) { return c.width_ms == kRollupHourMs; });
  EXPECT_EQ(AllCounts(store()), before);
}

TEST_P(StoreConformanceTest, DemoDataTakesItsViolationCounts) {
  WriteHistory(store());
  ASSERT_TRUE(store().MarkDemoSource(kB.source, kT0).ok());
  ASSERT_TRUE(store().DeleteDemoData().ok());
  std::vector<ViolationCount> left = AllCounts(store());
  ASSERT_FALSE(left.empty());
  for (const ViolationCount& c : left) EXPECT_EQ(c.series, kA);
}

}  // namespace
}  // namespace llmscope::store::conformance

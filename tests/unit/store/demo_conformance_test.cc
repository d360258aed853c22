// The Store conformance suite, continued: demo data (store.h "Demo data"), for every
// implementation that instantiates StoreConformanceTest.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/records.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

const SourceKey kDemo = Source("simulated", "sim-llm", "", "short");
const SourceKey kReal = Source("ollama", "llama3", "", "short");

// A stage, a violation with one delivery, and three samples (one with an ingest key) of `source`.
struct SourceRows {
  int64_t violation_id = 0;
};

SourceRows AddRows(Store& store, const SourceKey& source, const std::string& ingest_key) {
  std::vector<Sample> samples = {MakeSample(1000, source), MakeSample(2000, source),
                                 MakeSample(3000, source, 900.0)};
  samples[0].ingest_key = ingest_key;
  EXPECT_TRUE(store.AppendSamples(samples).ok());
  const SeriesKey series{source, Metric::kE2eMs};
  StageRecord stage;
  stage.series = series;
  stage.frozen = true;
  stage.stage.mean = 4.6;
  stage.stage.sigma = 0.1;
  EXPECT_TRUE(store.SaveStage(stage).ok());
  ViolationRecord v;
  v.series = series;
  v.first_time_ms = v.last_time_ms = 3000;
  v.count = 1;
  v.context_json = "{}";
  EXPECT_TRUE(store.InsertViolation(v).ok());
  DeliveryRecord d;
  d.key = "open/" + source.provider;
  d.violation_id = v.id;
  d.sink = "hook";
  d.payload_json = "{}";
  EXPECT_TRUE(store.EnqueueDelivery(d).ok());
  return {v.id};
}

size_t SampleCount(Store& store, const SourceKey& source) {
  SampleQuery q;
  q.source = source;
  Result<std::vector<Sample>> got = store.QuerySamples(q);
  EXPECT_TRUE(got.ok());
  return got.ok() ? got->size() : 0;
}

size_t RollupCount(Store& store, const SourceKey& source) {
  RollupQuery q;
  q.series = SeriesKey{source, Metric::kE2eMs};
  Result<std::vector<Rollup>> got = store.QueryRollups(q);
  EXPECT_TRUE(got.ok());
  return got.ok() ? got->size() : 0;
}

size_t ViolationCount(Store& store, const SourceKey& source) {
  ViolationQuery q;
  q.series = SeriesKey{source, Metric::kE2eMs};
  Result<std::vector<ViolationRecord>> got = store.QueryViolations(q);
  EXPECT_TRUE(got.ok());
  return got.ok() ? got->size() : 0;
}

TEST_P(StoreConformanceTest, DemoSourcesAreMarkedOnceAndKept) {
  Result<std::vector<SourceKey>> none = store().DemoSources();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(store().MarkDemoSource(kDemo, 10).ok());
  ASSERT_TRUE(store().MarkDemoSource(kDemo, 20).ok());
  Reopen();
  Result<std::vector<SourceKey>> marked = store().DemoSources();
  ASSERT_TRUE(marked.ok()) << marked.error().message;
  EXPECT_EQ(*marked, std::vector<SourceKey>{kDemo});
}

TEST_P(StoreConformanceTest, DeleteDemoDataRemovesEveryRowOfTheDemoSourcesOnly) {
  const SourceRows demo = AddRows(store(), kDemo, "demo-key");
  const SourceRows real = AddRows(store(), kReal, "real-key");
  ASSERT_TRUE(store().MarkDemoSource(kDemo, 10).ok());

  Result<int64_t> deleted = store().DeleteDemoData();
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_GE(*deleted, 3 + 1 + 1 + 1 + 1 + 1);  // samples, rollups, stage, violation, delivery, mark

  EXPECT_EQ(SampleCount(store(), kDemo), 0u);
  EXPECT_EQ(RollupCount(store(), kDemo), 0u);
  EXPECT_TRUE(store().LoadStages(SeriesKey{kDemo, Metric::kE2eMs})->empty());
  EXPECT_EQ(ViolationCount(store(), kDemo), 0u);
  EXPECT_FALSE(store().GetViolation(demo.violation_id)->has_value());
  EXPECT_TRUE(store().DeliveriesOfViolation(demo.violation_id)->empty());
  EXPECT_TRUE(store().DemoSources()->empty());

  EXPECT_EQ(SampleCount(store(), kReal), 3u);
  EXPECT_GT(RollupCount(store(), kReal), 0u);
  EXPECT_EQ(store().LoadStages(SeriesKey{kReal, Metric::kE2eMs})->size(), 1u);
  EXPECT_EQ(ViolationCount(store(), kReal), 1u);
  EXPECT_EQ(store().DeliveriesOfViolation(real.violation_id)->size(), 1u);
  EXPECT_EQ(store().Stats()->samples, 3);

  // The deleted sample's ingest key is forgotten: a sample sent with it is stored anew.
  std::vector<Sample> again = {MakeSample(4000, kDemo)};
  again[0].ingest_key = "demo-key";
  Result<AppendResult> appended = store().AppendSamples(again);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->duplicates, 0);
}

TEST_P(StoreConformanceTest, DeleteDemoDataWithoutDemoSourcesDeletesNothing) {
  AddRows(store(), kReal, "real-key");
  Result<int64_t> deleted = store().DeleteDemoData();
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(*deleted, 0);
  EXPECT_EQ(SampleCount(store(), kReal), 3u);
}

}  // namespace
}  // namespace llmscope::store::conformance

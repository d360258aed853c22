// The tests of the Store conformance suite (store_conformance.h), run once per implementation
// that instantiates StoreConformanceTest.
#include "tests/unit/store/store_conformance.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "spc/baseline.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/stage.h"
#include "spc/transform.h"
#include "store/records.h"
#include "store/store.h"

namespace llmscope::store::conformance {
namespace {

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreConformanceTest);

constexpr double kInf = std::numeric_limits<double>::infinity();

// Doubles are compared bit for bit: a store must not round them through text.
#define EXPECT_SAME_DOUBLE(a, b)                                                    \
  EXPECT_EQ(std::bit_cast<uint64_t>(double{a}), std::bit_cast<uint64_t>(double{b})) \
      << (a) << " vs " << (b)

void ExpectSameDouble(const std::optional<double>& got, const std::optional<double>& want,
                      const char* field) {
  SCOPED_TRACE(field);
  ASSERT_EQ(got.has_value(), want.has_value());
  if (want) {
    EXPECT_SAME_DOUBLE(*got, *want);
  }
}

// Every field of a stored sample equals what was appended (the id is the store's).
void ExpectSameSample(const Sample& got, const Sample& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.time_ms, want.time_ms);
  EXPECT_EQ(got.source, want.source);
  ExpectSameDouble(got.e2e_ms, want.e2e_ms, "e2e_ms");
  ExpectSameDouble(got.ttft_ms, want.ttft_ms, "ttft_ms");
  ExpectSameDouble(got.tpot_ms, want.tpot_ms, "tpot_ms");
  ExpectSameDouble(got.tokens_per_s, want.tokens_per_s, "tokens_per_s");
  ExpectSameDouble(got.cost_usd, want.cost_usd, "cost_usd");
  EXPECT_EQ(got.error, want.error);
  EXPECT_EQ(got.error_kind, want.error_kind);
  EXPECT_EQ(got.error_message, want.error_message);
  ExpectSameDouble(got.total_duration_ms, want.total_duration_ms, "total_duration_ms");
  ExpectSameDouble(got.load_duration_ms, want.load_duration_ms, "load_duration_ms");
  ExpectSameDouble(got.prompt_eval_duration_ms, want.prompt_eval_duration_ms,
                   "prompt_eval_duration_ms");
  ExpectSameDouble(got.eval_duration_ms, want.eval_duration_ms, "eval_duration_ms");
  EXPECT_EQ(got.prompt_eval_count, want.prompt_eval_count);
  EXPECT_EQ(got.eval_count, want.eval_count);
  EXPECT_EQ(got.tokens_in, want.tokens_in);
  EXPECT_EQ(got.tokens_out, want.tokens_out);
  ExpectSameDouble(got.telemetry.cpu_percent, want.telemetry.cpu_percent, "cpu_percent");
  ExpectSameDouble(got.telemetry.memory_percent, want.telemetry.memory_percent, "memory_percent");
  ExpectSameDouble(got.telemetry.gpu_percent, want.telemetry.gpu_percent, "gpu_percent");
  ExpectSameDouble(got.telemetry.gpu_memory_percent, want.telemetry.gpu_memory_percent,
                   "gpu_memory_percent");
  ExpectSameDouble(got.telemetry.gpu_temp_c, want.telemetry.gpu_temp_c, "gpu_temp_c");
  EXPECT_EQ(got.prompt_hash, want.prompt_hash);
  EXPECT_EQ(got.prompt_text, want.prompt_text);
  EXPECT_EQ(got.ingest_key, want.ingest_key);
}

void ExpectSameStage(const StageRecord& got, const StageRecord& want) {
  EXPECT_EQ(got.series, want.series);
  EXPECT_EQ(got.stage.number, want.stage.number);
  EXPECT_EQ(got.stage.start_index, want.stage.start_index);
  EXPECT_EQ(got.stage.baseline_size, want.stage.baseline_size);
  EXPECT_EQ(got.stage.transform, want.stage.transform);
  EXPECT_EQ(got.stage.sigma_method, want.stage.sigma_method);
  EXPECT_SAME_DOUBLE(got.stage.mean, want.stage.mean);
  EXPECT_SAME_DOUBLE(got.stage.sigma, want.stage.sigma);
  EXPECT_EQ(got.frozen, want.frozen);
  EXPECT_EQ(got.external_baseline, want.external_baseline);
  EXPECT_EQ(got.start_sample_id, want.start_sample_id);
  EXPECT_EQ(got.start_time_ms, want.start_time_ms);
  EXPECT_EQ(got.created_ms, want.created_ms);
}

void ExpectSameViolation(const ViolationRecord& got, const ViolationRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.series, want.series);
  EXPECT_EQ(got.rule, want.rule);
  EXPECT_EQ(got.phase, want.phase);
  EXPECT_EQ(got.stage, want.stage);
  EXPECT_EQ(got.first_index, want.first_index);
  EXPECT_EQ(got.last_index, want.last_index);
  EXPECT_EQ(got.count, want.count);
  EXPECT_EQ(got.first_time_ms, want.first_time_ms);
  EXPECT_EQ(got.last_time_ms, want.last_time_ms);
  EXPECT_SAME_DOUBLE(got.value, want.value);
  EXPECT_SAME_DOUBLE(got.worst_value, want.worst_value);
  ExpectSameDouble(got.deviation, want.deviation, "deviation");
  EXPECT_SAME_DOUBLE(got.mean, want.mean);
  EXPECT_SAME_DOUBLE(got.sigma, want.sigma);
  EXPECT_SAME_DOUBLE(got.limits.center, want.limits.center);
  EXPECT_SAME_DOUBLE(got.limits.ucl, want.limits.ucl);
  EXPECT_SAME_DOUBLE(got.limits.lcl, want.limits.lcl);
  EXPECT_SAME_DOUBLE(got.limits.upper_2s, want.limits.upper_2s);
  EXPECT_SAME_DOUBLE(got.limits.lower_2s, want.limits.lower_2s);
  EXPECT_SAME_DOUBLE(got.limits.upper_1s, want.limits.upper_1s);
  EXPECT_SAME_DOUBLE(got.limits.lower_1s, want.limits.lower_1s);
  EXPECT_EQ(got.context_json, want.context_json);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.status_by, want.status_by);
  EXPECT_EQ(got.status_time_ms, want.status_time_ms);
  EXPECT_EQ(got.created_ms, want.created_ms);
}

// Every field set, with doubles that text formatting would not keep.
Sample FullSample() {
  Sample s;
  s.time_ms = 1'700'000'000'123;
  s.source = Source("ollama", "llama3:8b-instruct-q4_K_M", "eu-west", "short");
  s.e2e_ms = 1234.5678901234567;
  s.ttft_ms = 0.1;
  s.tpot_ms = std::numeric_limits<double>::denorm_min();
  s.tokens_per_s = std::numeric_limits<double>::max();
  s.cost_usd = 1e-12;
  s.error = true;
  s.error_kind = "http_5xx";
  s.error_message = "502 Bad Gateway: \"upstream\" closed 'early'";
  s.total_duration_ms = kInf;
  s.load_duration_ms = -1.5;
  s.prompt_eval_duration_ms = 3.0;
  s.eval_duration_ms = 1e18;
  s.prompt_eval_count = 0;
  s.eval_count = std::numeric_limits<int64_t>::max();
  s.tokens_in = std::numeric_limits<int64_t>::min();
  s.tokens_out = 512;
  s.telemetry.cpu_percent = 12.5;
  s.telemetry.memory_percent = 1.0 / 3.0;
  s.telemetry.gpu_percent = 99.99999999999999;
  s.telemetry.gpu_memory_percent = 0.30000000000000004;
  s.telemetry.gpu_temp_c = -40.0;
  s.prompt_hash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  s.prompt_text = "Say \"hi\" and 'bye'";
  s.ingest_key = "probe-0f1e2d3c-7-4096";
  return s;
}

// Every optional absent, every string empty.
Sample EmptySample() {
  Sample s;
  s.time_ms = 1;
  return s;
}

// Every optional present and zero, strings empty but prompt_text present.
Sample ZeroSample() {
  Sample s;
  s.time_ms = 0;
  s.source = Source("p", "m");
  s.e2e_ms = s.ttft_ms = s.tpot_ms = s.tokens_per_s = s.cost_usd = 0.0;
  s.total_duration_ms = s.load_duration_ms = s.prompt_eval_duration_ms = s.eval_duration_ms = 0.0;
  s.prompt_eval_count = s.eval_count = s.tokens_in = s.tokens_out = 0;
  s.telemetry.cpu_percent = s.telemetry.memory_percent = s.telemetry.gpu_percent = 0.0;
  s.telemetry.gpu_memory_percent = s.telemetry.gpu_temp_c = 0.0;
  s.prompt_text = "";
  return s;
}

Result<std::vector<Sample>> All(Store& store) {
  return store.QuerySamples(SampleQuery{});
}

std::vector<int64_t> Ids(const std::vector<Sample>& samples) {
  std::vector<int64_t> ids;
  for (const Sample& s : samples) ids.push_back(s.id);
  return ids;
}

std::vector<int64_t> Ids(const std::vector<ViolationRecord>& violations) {
  std::vector<int64_t> ids;
  for (const ViolationRecord& v : violations) ids.push_back(v.id);
  return ids;
}

std::vector<int64_t> Times(const std::vector<Sample>& samples) {
  std::vector<int64_t> times;
  for (const Sample& s : samples) times.push_back(s.time_ms);
  return times;
}

SeriesKey Series(SourceKey source, Metric metric = Metric::kE2eMs) {
  return SeriesKey{std::move(source), metric};
}

StageRecord MakeStage(const SeriesKey& series, int number, bool frozen) {
  StageRecord r;
  r.series = series;
  r.stage.number = number;
  r.stage.start_index = 100 * number;
  r.stage.baseline_size = 30;
  r.stage.transform = spc::Transform::kLog;
  r.stage.sigma_method = spc::SigmaMethod::kMrMedian;
  if (frozen) {
    r.stage.mean = 6.907755278982137;
    r.stage.sigma = 0.1234567890123456;
  }
  r.frozen = frozen;
  r.external_baseline = number % 2 == 1;
  r.start_sample_id = 1000 + number;
  r.start_time_ms = 1'700'000'000'000 + number;
  r.created_ms = 1'700'000'100'000 + number + (frozen ? 1 : 0);
  return r;
}

ViolationRecord MakeViolation(const SeriesKey& series, spc::Rule rule, int64_t first_time_ms,
                              int64_t last_time_ms, ViolationStatus status = ViolationStatus::kOpen,
                              spc::Phase phase = spc::Phase::kMonitoring) {
  ViolationRecord v;
  v.series = series;
  v.rule = rule;
  v.phase = phase;
  v.stage = 2;
  v.first_index = 40;
  v.last_index = 45;
  v.count = 6;
  v.first_time_ms = first_time_ms;
  v.last_time_ms = last_time_ms;
  v.value = 1801.25;
  v.worst_value = 2304.0000000000005;
  v.deviation = 3.3333333333333335;
  v.mean = 6.9;
  v.sigma = 0.11;
  v.limits = spc::Limits{992.2, 1379.5, 713.6, 1239.1, 794.5, 1113.1, 884.5};
  v.context_json = R"({"points":[1,2,3],"note":"it's \"quoted\""})";
  v.status = status;
  v.status_by = status == ViolationStatus::kOpen ? "" : "alice";
  v.status_time_ms = status == ViolationStatus::kOpen ? 0 : last_time_ms + 1;
  v.created_ms = first_time_ms + 5;
  return v;
}

// Appends samples at the given times for `source`, in one batch.
void AppendAt(Store& store, const SourceKey& source, const std::vector<int64_t>& times) {
  std::vector<Sample> batch;
  for (int64_t t : times) batch.push_back(MakeSample(t, source, static_cast<double>(t)));
  ASSERT_TRUE(store.AppendSamples(batch).ok());
}

// ---- samples ---------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, RoundTripsEveryFieldOfASample) {
  std::vector<Sample> batch = {FullSample(), EmptySample(), ZeroSample()};
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  Result<std::vector<Sample>> got = All(store());
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 3u);
  for (size_t i = 0; i < batch.size(); ++i) {
    SCOPED_TRACE("sample " + std::to_string(i));
    ExpectSameSample((*got)[i], batch[i]);
  }
  // nullopt and 0.0 stay apart, as do an absent and an empty prompt text.
  EXPECT_FALSE((*got)[1].e2e_ms.has_value());
  EXPECT_FALSE((*got)[1].prompt_text.has_value());
  EXPECT_EQ((*got)[2].e2e_ms, std::optional<double>(0.0));
  EXPECT_EQ((*got)[2].prompt_text, std::optional<std::string>(""));
}

// A read of the measures fills id, time, source, the metrics' values, error and telemetry as a
// whole read does, and leaves every other field empty; by query and by id alike.
TEST_P(StoreConformanceTest, AMeasuresReadFillsTheMeasuresOnly) {
  std::vector<Sample> batch = {FullSample(), EmptySample(), ZeroSample()};
  batch[0].error = true;
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  SampleQuery q;
  q.fields = SampleFields::kMeasures;
  Result<std::vector<Sample>> queried = store().QuerySamples(q);
  ASSERT_TRUE(queried.ok()) << queried.error().message;
  Result<std::vector<Sample>> by_id = store().SamplesWithIds(
      {batch[2].id, batch[0].id, batch[1].id}, SampleFields::kMeasures);
  ASSERT_TRUE(by_id.ok()) << by_id.error().message;
  for (const std::vector<Sample>* got : {&*queried, &*by_id}) {
    ASSERT_EQ(got->size(), 3u);
    for (size_t i = 0; i < batch.size(); ++i) {
      SCOPED_TRACE("sample " + std::to_string(i));
      Sample want;  // the measures of batch[i], nothing else
      const Sample& b = batch[i];
      want.id = b.id;
      want.time_ms = b.time_ms;
      want.source = b.source;
      want.e2e_ms = b.e2e_ms;
      want.ttft_ms = b.ttft_ms;
      want.tpot_ms = b.tpot_ms;
      want.tokens_per_s = b.tokens_per_s;
      want.cost_usd = b.cost_usd;
      want.error = b.error;
      want.telemetry = b.telemetry;
      ExpectSameSample((*got)[i], want);
      EXPECT_EQ((*got)[i].id, b.id);
    }
  }
  EXPECT_TRUE(queried->front().prompt_hash.empty());
  EXPECT_FALSE(queried->front().prompt_text.has_value());
  EXPECT_FALSE(queried->front().ingest_key.has_value());
  EXPECT_FALSE(queried->front().total_duration_ms.has_value());
  EXPECT_TRUE(queried->front().error_message.empty());
}

TEST_P(StoreConformanceTest, KeepsUnicodeAndSqlLikeTextVerbatim) {
  Sample s = FullSample();
  s.source = Source("prov-ü", "模型-7b 🚀", "São Paulo", "długi");
  s.error_kind = "malformed";
  s.error_message = "ошибка: время ожидания истекло";
  s.prompt_hash = "'; --";
  s.prompt_text = "'); DROP TABLE samples;-- \"x\" \\ % _ ? ?1 :name $1 日本語 é e\u0301";
  std::vector<Sample> batch = {s};
  ASSERT_TRUE(store().AppendSamples(batch).ok());

  SampleQuery by_source;
  by_source.source = s.source;
  Result<std::vector<Sample>> got = store().QuerySamples(by_source);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  ExpectSameSample(got->front(), batch.front());

  // The table is still there and still takes rows.
  std::vector<Sample> more = {MakeSample(5, Source("p", "m"))};
  ASSERT_TRUE(store().AppendSamples(more).ok());
  Result<StoreStats> stats = store().Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->samples, 2);
}

TEST_P(StoreConformanceTest, AssignsIncreasingIdsInGivenOrder) {
  std::vector<int64_t> ids;
  for (int batch_number = 0; batch_number < 3; ++batch_number) {
    std::vector<Sample> batch;
    // Times deliberately out of order: ids follow the given order, not time.
    for (int i = 0; i < 5; ++i) batch.push_back(MakeSample(1000 - 10 * i, Source("p", "m")));
    for (Sample& s : batch) s.id = 777;  // ignored: the store assigns ids
    ASSERT_TRUE(store().AppendSamples(batch).ok());
    for (const Sample& s : batch) ids.push_back(s.id);
  }
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << "at " << i;
  EXPECT_GT(ids.front(), 0);
  Result<std::vector<Sample>> got = All(store());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Ids(*got), ids);
}

// A sample of `source` at `time_ms` carrying `key` (nullopt: none).
Sample Keyed(int64_t time_ms, std::optional<std::string> key, double e2e_ms = 100.0) {
  Sample s = MakeSample(time_ms, Source("p", "m"), e2e_ms);
  s.ingest_key = std::move(key);
  return s;
}

TEST_P(StoreConformanceTest, SameIngestKeyTwiceKeepsOneRowAndOneId) {
  std::vector<Sample> first = {Keyed(1, "probe-a-1-0", 10.0)};
  Result<AppendResult> stored = store().AppendSamples(first);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->duplicate, std::vector<bool>{false});
  EXPECT_EQ(stored->duplicates, 0);
  ASSERT_GT(first[0].id, 0);

  // Sent again (even with other values): acknowledged with the stored id, not stored.
  std::vector<Sample> again = {Keyed(2, "probe-a-1-0", 99.0)};
  Result<AppendResult> repeated = store().AppendSamples(again);
  ASSERT_TRUE(repeated.ok()) << repeated.error().message;
  EXPECT_EQ(repeated->duplicate, std::vector<bool>{true});
  EXPECT_EQ(repeated->duplicates, 1);
  EXPECT_EQ(again[0].id, first[0].id);

  Reopen();  // the key is durable
  std::vector<Sample> after_restart = {Keyed(3, "probe-a-1-0", 7.0)};
  Result<AppendResult> third = store().AppendSamples(after_restart);
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(third->duplicates, 1);
  EXPECT_EQ(after_restart[0].id, first[0].id);

  Result<std::vector<Sample>> all = All(store());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  ExpectSameSample(all->front(), first[0]);  // the stored sample is left as it was
  EXPECT_EQ(store().Stats()->samples, 1);
}

TEST_P(StoreConformanceTest, SamplesWithoutAKeyNeverCollide) {
  std::vector<Sample> batch = {Keyed(1, std::nullopt), Keyed(1, std::nullopt)};
  Result<AppendResult> stored = store().AppendSamples(batch);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->duplicates, 0);
  std::vector<Sample> same_again = {Keyed(1, std::nullopt)};
  stored = store().AppendSamples(same_again);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->duplicate, std::vector<bool>{false});
  EXPECT_LT(batch[0].id, batch[1].id);
  EXPECT_LT(batch[1].id, same_again[0].id);
  Result<std::vector<Sample>> all = All(store());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (const Sample& s : *all) EXPECT_FALSE(s.ingest_key.has_value());
}

TEST_P(StoreConformanceTest, BatchMixingDuplicatesAndNewSamplesStoresOnlyTheNewOnes) {
  std::vector<Sample> earlier = {Keyed(1, "k-1"), Keyed(2, "k-2")};
  ASSERT_TRUE(store().AppendSamples(earlier).ok());

  std::vector<Sample> batch = {Keyed(3, "k-3"), Keyed(4, "k-1"), Keyed(5, std::nullopt),
                               Keyed(6, "k-3"), Keyed(7, "k-4"), Keyed(8, "k-2")};
  Result<AppendResult> stored = store().AppendSamples(batch);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  // k-1 and k-2 were stored before; the second k-3 repeats one earlier in this batch.
  EXPECT_EQ(stored->duplicate, (std::vector<bool>{false, true, false, true, false, true}));
  EXPECT_EQ(stored->duplicates, 3);
  EXPECT_EQ(batch[1].id, earlier[0].id);
  EXPECT_EQ(batch[5].id, earlier[1].id);
  EXPECT_EQ(batch[3].id, batch[0].id);
  // The new samples get new ids, increasing in the given order.
  EXPECT_GT(batch[0].id, earlier[1].id);
  EXPECT_LT(batch[0].id, batch[2].id);
  EXPECT_LT(batch[2].id, batch[4].id);

  Result<std::vector<Sample>> all = All(store());
  ASSERT_TRUE(all.ok());
  std::vector<int64_t> times;
  for (const Sample& s : *all) times.push_back(s.time_ms);
  EXPECT_EQ(times, (std::vector<int64_t>{1, 2, 3, 5, 7}));
  EXPECT_EQ(Ids(*all), (std::vector<int64_t>{earlier[0].id, earlier[1].id, batch[0].id, batch[2].id,
                                             batch[4].id}));
}

TEST_P(StoreConformanceTest, EmptyBatchIsANoOp) {
  std::vector<Sample> batch;
  EXPECT_TRUE(store().AppendSamples(batch).ok());
  Result<StoreStats> stats = store().Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->samples, 0);
}

TEST_P(StoreConformanceTest, LargeBatchIsFullyVisible) {
  std::vector<Sample> batch;
  for (int i = 0; i < 2000; ++i) batch.push_back(MakeSample(i, Source("p", "m"), 1.0 + i));
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  Result<std::vector<Sample>> got = All(store());
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2000u);
  EXPECT_EQ(Ids(*got), Ids(batch));
  EXPECT_EQ(got->back().e2e_ms, std::optional<double>(2000.0));
}

TEST_P(StoreConformanceTest, QueryFiltersBySourceExactly) {
  AppendAt(store(), Source("ollama", "llama3"), {1, 2});
  AppendAt(store(), Source("ollama", "llama3", "lab"), {3});
  AppendAt(store(), Source("ollama", "llama3", "", "long"), {4});
  AppendAt(store(), Source("ollama", "llama3", "lab", "long"), {5});
  AppendAt(store(), Source("ollama", "mistral"), {6});

  SampleQuery q;
  q.source = Source("ollama", "llama3");
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{1, 2}));
  q.source = Source("ollama", "llama3", "lab");
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{3}));
  q.source = Source("ollama", "llama3", "", "long");
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{4}));
  q.source = Source("ollama", "llama3", "lab", "long");
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{5}));
  q.source = Source("ollama", "nothing");
  EXPECT_TRUE(store().QuerySamples(q)->empty());

  // With a source, the provider and model filters do not apply.
  q.source = Source("ollama", "mistral");
  q.provider = "openai";
  q.model = "gpt-4o";
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{6}));
}

TEST_P(StoreConformanceTest, QueryFiltersByProviderAndModel) {
  AppendAt(store(), Source("ollama", "llama3"), {1});
  AppendAt(store(), Source("openai", "gpt-4o"), {2});
  AppendAt(store(), Source("ollama", "llama3", "lab"), {3});
  AppendAt(store(), Source("openai", "llama3"), {4});

  SampleQuery q;
  q.provider = "ollama";
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{1, 3}));
  q.provider.reset();
  q.model = "llama3";
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{1, 3, 4}));
  q.provider = "openai";
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{4}));
  q.provider = "OLLAMA";  // exact match, case included
  q.model.reset();
  EXPECT_TRUE(store().QuerySamples(q)->empty());
}

TEST_P(StoreConformanceTest, QueryFiltersByTimeSinceInclusiveUntilExclusive) {
  AppendAt(store(), Source("p", "m"), {50, 100, 150, 200, 250, -10});
  SampleQuery q;
  q.since_ms = 100;
  q.until_ms = 200;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{100, 150}));
  q.until_ms = INT64_MAX;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{100, 150, 200, 250}));
  q.since_ms = INT64_MIN;
  q.until_ms = 50;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{-10}));
  q.source = Source("p", "m");
  q.newest_first = true;
  q.since_ms = 0;
  q.until_ms = 201;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{200, 150, 100, 50}));

  // A late sample (a remote probe's spool): the window's earliest time has its newest id.
  AppendAt(store(), Source("p", "m"), {105});
  q = {};
  q.since_ms = 105;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{150, 200, 250, 105}));
  q.newest_first = true;
  q.limit = 2;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{105, 250}));
  // Both ends: the rows of the window only, the late one among them.
  q = {};
  q.since_ms = 100;
  q.until_ms = 151;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{100, 150, 105}));
  q.since_ms = 105;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{150, 105}));
  q.until_ms = 106;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{105}));
}

TEST_P(StoreConformanceTest, QueryPagesForwardWithAfterIdAndLimit) {
  std::vector<int64_t> times;
  for (int i = 0; i < 23; ++i) times.push_back(i);
  AppendAt(store(), Source("p", "m"), times);
  AppendAt(store(), Source("other", "m"), {1000});

  SampleQuery q;
  q.source = Source("p", "m");
  q.limit = 5;
  std::vector<int64_t> seen;
  int pages = 0;
  while (true) {
    Result<std::vector<Sample>> page = store().QuerySamples(q);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 5u);
    for (const Sample& s : *page) seen.push_back(s.time_ms);
    q.after_id = page->back().id;
    ASSERT_LT(++pages, 10);
  }
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(seen, times);
}

TEST_P(StoreConformanceTest, QueryPagesBackwardNewestFirst) {
  AppendAt(store(), Source("p", "m"), {0, 1, 2, 3, 4, 5, 6});
  SampleQuery q;
  q.newest_first = true;
  q.limit = 3;
  Result<std::vector<Sample>> page = store().QuerySamples(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Times(*page), (std::vector<int64_t>{6, 5, 4}));
  q.after_id = page->back().id;  // newest first: ids below after_id
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{3, 2, 1}));
  q.limit = 100;
  EXPECT_EQ(Times(*store().QuerySamples(q)), (std::vector<int64_t>{3, 2, 1, 0}));
}

TEST_P(StoreConformanceTest, QueryWithZeroLimitReturnsNothing) {
  AppendAt(store(), Source("p", "m"), {1, 2});
  SampleQuery q;
  q.limit = 0;
  Result<std::vector<Sample>> got = store().QuerySamples(q);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_P(StoreConformanceTest, ListsSourcesInKeyOrder) {
  Result<std::vector<SourceKey>> none = store().ListSources();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  AppendAt(store(), Source("openai", "gpt-4o"), {1, 2});
  AppendAt(store(), Source("ollama", "llama3", "lab"), {3});
  AppendAt(store(), Source("ollama", "llama3"), {4, 5});
  AppendAt(store(), Source("ollama", "llama3", "", "long"), {6});
  AppendAt(store(), Source("anthropic", "claude"), {7});
  AppendAt(store(), Source("openai", "gpt-4o"), {8});

  std::vector<SourceKey> want = {Source("anthropic", "claude"), Source("ollama", "llama3"),
                                 Source("ollama", "llama3", "", "long"),
                                 Source("ollama", "llama3", "lab"), Source("openai", "gpt-4o")};
  ASSERT_TRUE(std::is_sorted(want.begin(), want.end()));
  Result<std::vector<SourceKey>> got = store().ListSources();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, want);
}

TEST_P(StoreConformanceTest, StatsOfAnEmptyStore) {
  Result<StoreStats> stats = store().Stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->samples, 0);
  EXPECT_EQ(stats->violations, 0);
  EXPECT_EQ(stats->open_violations, 0);
  EXPECT_FALSE(stats->first_time_ms.has_value());
  EXPECT_FALSE(stats->last_time_ms.has_value());
}

TEST_P(StoreConformanceTest, StatsCountSamplesAndViolations) {
  AppendAt(store(), Source("p", "m"), {300, 100, 200});
  AppendAt(store(), Source("q", "m"), {50});
  SeriesKey series = Series(Source("p", "m"));
  for (ViolationStatus status : {ViolationStatus::kOpen, ViolationStatus::kOpen,
                                 ViolationStatus::kAcknowledged, ViolationStatus::kResolved}) {
    ViolationRecord v = MakeViolation(series, spc::Rule::kR1, 100, 200, status);
    ASSERT_TRUE(store().InsertViolation(v).ok());
  }
  Result<StoreStats> stats = store().Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->samples, 4);
  EXPECT_EQ(stats->violations, 4);
  EXPECT_EQ(stats->open_violations, 2);
  EXPECT_EQ(stats->first_time_ms, std::optional<int64_t>(50));
  EXPECT_EQ(stats->last_time_ms, std::optional<int64_t>(300));
}

// ---- stages ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, SaveStageUpsertsOneSeriesAndNumber) {
  SeriesKey series = Series(Source("p", "m"));
  StageRecord learning = MakeStage(series, 0, /*frozen=*/false);
  ASSERT_TRUE(store().SaveStage(learning).ok());
  Result<std::vector<StageRecord>> got = store().LoadStages(series);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  ExpectSameStage(got->front(), learning);

  StageRecord frozen = MakeStage(series, 0, /*frozen=*/true);
  frozen.stage.baseline_size = 50;
  frozen.stage.transform = spc::Transform::kNone;
  frozen.stage.sigma_method = spc::SigmaMethod::kStdDev;
  ASSERT_TRUE(store().SaveStage(frozen).ok());
  got = store().LoadStages(series);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  ExpectSameStage(got->front(), frozen);
}

TEST_P(StoreConformanceTest, LoadStagesGivesOneSeriesOldestFirst) {
  SeriesKey e2e = Series(Source("p", "m"));
  SeriesKey ttft = Series(Source("p", "m"), Metric::kTtftMs);
  SeriesKey other_site = Series(Source("p", "m", "lab"));
  for (int number : {2, 0, 1}) ASSERT_TRUE(store().SaveStage(MakeStage(e2e, number, true)).ok());
  ASSERT_TRUE(store().SaveStage(MakeStage(ttft, 0, true)).ok());
  ASSERT_TRUE(store().SaveStage(MakeStage(other_site, 5, false)).ok());

  Result<std::vector<StageRecord>> got = store().LoadStages(e2e);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);
  for (int i = 0; i < 3; ++i) ExpectSameStage((*got)[i], MakeStage(e2e, i, true));

  got = store().LoadStages(other_site);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  ExpectSameStage(got->front(), MakeStage(other_site, 5, false));

  got = store().LoadStages(Series(Source("p", "m"), Metric::kCostUsd));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
}

TEST_P(StoreConformanceTest, LoadLatestStagesGivesTheNewestOfEverySeries) {
  Result<std::vector<StageRecord>> none = store().LoadLatestStages();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  SeriesKey a = Series(Source("a", "m"));
  SeriesKey a_error = Series(Source("a", "m"), Metric::kError);
  SeriesKey b = Series(Source("b", "m", "lab", "long"));
  for (int number : {0, 1, 3, 2}) ASSERT_TRUE(store().SaveStage(MakeStage(a, number, true)).ok());
  ASSERT_TRUE(store().SaveStage(MakeStage(a_error, 0, false)).ok());
  ASSERT_TRUE(store().SaveStage(MakeStage(b, 0, true)).ok());
  ASSERT_TRUE(store().SaveStage(MakeStage(b, 1, false)).ok());

  Result<std::vector<StageRecord>> got = store().LoadLatestStages();
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 3u);
  std::sort(got->begin(), got->end(),
            [](const StageRecord& x, const StageRecord& y) { return x.series < y.series; });
  ExpectSameStage((*got)[0], MakeStage(a, 3, true));
  ExpectSameStage((*got)[1], MakeStage(a_error, 0, false));
  ExpectSameStage((*got)[2], MakeStage(b, 1, false));
}

TEST_P(StoreConformanceTest, StageRoundTripsEveryTransformAndSigmaMethod) {
  int number = 0;
  SeriesKey series = Series(Source("p", "m"), Metric::kTokensPerS);
  std::vector<StageRecord> saved;
  for (spc::Transform t : {spc::Transform::kNone, spc::Transform::kLog}) {
    for (spc::SigmaMethod m :
         {spc::SigmaMethod::kMrMean, spc::SigmaMethod::kMrMedian, spc::SigmaMethod::kStdDev}) {
      StageRecord r = MakeStage(series, number++, true);
      r.stage.transform = t;
      r.stage.sigma_method = m;
      r.stage.mean = -1e-300 * number;
      r.stage.sigma = 1.0 / 7.0;
      ASSERT_TRUE(store().SaveStage(r).ok());
      saved.push_back(r);
    }
  }
  Result<std::vector<StageRecord>> got = store().LoadStages(series);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), saved.size());
  for (size_t i = 0; i < saved.size(); ++i) ExpectSameStage((*got)[i], saved[i]);
}

// ---- violations ------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, InsertViolationAssignsIdsAndRoundTripsEveryField) {
  SeriesKey series = Series(Source("ollama", "llama3", "lab", "long"), Metric::kTpotMs);
  std::vector<ViolationRecord> inserted;
  for (spc::Rule rule : spc::kAllRules) {
    ViolationRecord v = MakeViolation(series, rule, 1000, 2000);
    v.id = 999;                                       // ignored: the store assigns ids
    if (rule == spc::Rule::kR2) v.deviation.reset();  // a degenerate stage
    if (rule == spc::Rule::kR3) v.phase = spc::Phase::kBaseline;
    ASSERT_TRUE(store().InsertViolation(v).ok());
    if (!inserted.empty()) {
      EXPECT_GT(v.id, inserted.back().id);
    }
    inserted.push_back(v);
  }
  for (const ViolationRecord& want : inserted) {
    Result<std::optional<ViolationRecord>> got = store().GetViolation(want.id);
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_TRUE(got->has_value()) << "id " << want.id;
    ExpectSameViolation(**got, want);
  }
}

TEST_P(StoreConformanceTest, GetUnknownViolationIsEmpty) {
  Result<std::optional<ViolationRecord>> got = store().GetViolation(12345);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_P(StoreConformanceTest, UpdateViolationExtentLeavesStatusAlone) {
  SeriesKey series = Series(Source("p", "m"));
  ViolationRecord v = MakeViolation(series, spc::Rule::kR2, 1000, 1000);
  ASSERT_TRUE(store().InsertViolation(v).ok());
  ASSERT_TRUE(store().SetViolationStatus(v.id, ViolationStatus::kAcknowledged, "bob", 1500).ok());

  ViolationRecord grown = v;
  grown.last_index = 60;
  grown.last_time_ms = 3000;
  grown.count = 21;
  grown.worst_value = 9999.5;
  grown.deviation.reset();
  grown.context_json = R"({"points":[4,5,6,7]})";
  grown.status = ViolationStatus::kResolved;  // must not be written
  grown.status_by = "mallory";
  grown.status_time_ms = 1;
  ASSERT_TRUE(store().UpdateViolationExtent(grown).ok());

  Result<std::optional<ViolationRecord>> got = store().GetViolation(v.id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  ViolationRecord want = grown;
  want.status = ViolationStatus::kAcknowledged;
  want.status_by = "bob";
  want.status_time_ms = 1500;
  ExpectSameViolation(**got, want);
}

TEST_P(StoreConformanceTest, WriteViolationsInsertsNewOnesAndGrowsTheOthersTogether) {
  SeriesKey series = Series(Source("p", "m"));
  ViolationRecord stored = MakeViolation(series, spc::Rule::kR2, 1000, 1000);
  ASSERT_TRUE(store().InsertViolation(stored).ok());
  ASSERT_TRUE(
      store().SetViolationStatus(stored.id, ViolationStatus::kAcknowledged, "bob", 1500).ok());

  ViolationRecord first = MakeViolation(series, spc::Rule::kR1, 2000, 2000);
  ViolationRecord grown = stored;
  grown.last_index = 60;
  grown.last_time_ms = 3000;
  grown.count = 21;
  grown.context_json = R"({"points":[4,5,6,7]})";
  grown.status = ViolationStatus::kResolved;  // must not be written
  ViolationRecord gone = MakeViolation(series, spc::Rule::kR3, 1, 2);
  gone.id = 424242;  // deleted meanwhile (retention): left out
  ViolationRecord second = MakeViolation(series, spc::Rule::kR4, 2500, 2600);
  std::vector<ViolationRecord*> writes = {&first, &grown, &gone, &second};
  ASSERT_TRUE(store().WriteViolations(writes).ok());
  EXPECT_GT(first.id, stored.id);
  EXPECT_GT(second.id, first.id);
  EXPECT_EQ(gone.id, 424242);

  for (const ViolationRecord* want : {&first, &second}) {
    Result<std::optional<ViolationRecord>> got = store().GetViolation(want->id);
    ASSERT_TRUE(got.ok() && got->has_value());
    ExpectSameViolation(**got, *want);
  }
  Result<std::optional<ViolationRecord>> got = store().GetViolation(stored.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  ViolationRecord want = grown;
  want.status = ViolationStatus::kAcknowledged;
  want.status_by = "bob";
  want.status_time_ms = 1500;
  ExpectSameViolation(**got, want);
  EXPECT_FALSE(store().GetViolation(424242)->has_value());
  EXPECT_TRUE(store().WriteViolations({}).ok());
}

TEST_P(StoreConformanceTest, UnknownViolationIdIsNotFound) {
  ViolationRecord v = MakeViolation(Series(Source("p", "m")), spc::Rule::kR1, 1, 2);
  v.id = 424242;
  Status update = store().UpdateViolationExtent(v);
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.error().code, "not_found");
  Status set = store().SetViolationStatus(424242, ViolationStatus::kResolved, "x", 3);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, "not_found");
}

TEST_P(StoreConformanceTest, SetViolationStatusRecordsWhoAndWhen) {
  ViolationRecord v = MakeViolation(Series(Source("p", "m")), spc::Rule::kEwma, 10, 20);
  ASSERT_TRUE(store().InsertViolation(v).ok());
  ASSERT_TRUE(store().SetViolationStatus(v.id, ViolationStatus::kAcknowledged, "ann", 30).ok());
  ASSERT_TRUE(store().SetViolationStatus(v.id, ViolationStatus::kResolved, "bo ✓", 40).ok());
  Result<std::optional<ViolationRecord>> got = store().GetViolation(v.id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  ViolationRecord want = v;
  want.status = ViolationStatus::kResolved;
  want.status_by = "bo ✓";
  want.status_time_ms = 40;
  ExpectSameViolation(**got, want);
}

// Four violations on three series; each filter picks its own subset, newest first.
class ViolationFilters {
 public:
  explicit ViolationFilters(Store& store) : store_(store) {}

  void Insert() {
    v1_ = Add(MakeViolation(a_e2e_, spc::Rule::kR1, 100, 200));
    v2_ = Add(MakeViolation(a_ttft_, spc::Rule::kR2, 300, 400, ViolationStatus::kAcknowledged,
                            spc::Phase::kBaseline));
    v3_ = Add(MakeViolation(b_e2e_, spc::Rule::kR1, 500, 600, ViolationStatus::kResolved));
    v4_ = Add(MakeViolation(b_lab_e2e_, spc::Rule::kR5, 700, 800));
  }

  // The ids QueryViolations lists; QueryViolationMarks must list the same rows as marks.
  std::vector<int64_t> Query(const ViolationQuery& q) {
    Result<std::vector<ViolationRecord>> got = store_.QueryViolations(q);
    EXPECT_TRUE(got.ok()) << got.error().message;
    if (!got.ok()) return {-1};
    std::vector<ViolationMark> want;
    for (const ViolationRecord& v : *got) want.push_back({v.id, v.first_time_ms, v.rule, v.phase});
    Result<std::vector<ViolationMark>> marks = store_.QueryViolationMarks(q);
    EXPECT_TRUE(marks.ok()) << marks.error().message;
    if (marks.ok()) EXPECT_EQ(*marks, want);
    return Ids(*got);
  }

  const SeriesKey a_e2e_ = Series(Source("openai", "gpt-4o"));
  const SeriesKey a_ttft_ = Series(Source("openai", "gpt-4o"), Metric::kTtftMs);
  const SeriesKey b_e2e_ = Series(Source("ollama", "llama3"));
  const SeriesKey b_lab_e2e_ = Series(Source("ollama", "llama3", "lab"));
  int64_t v1_ = 0, v2_ = 0, v3_ = 0, v4_ = 0;

 private:
  int64_t Add(ViolationRecord v) {
    EXPECT_TRUE(store_.InsertViolation(v).ok());
    return v.id;
  }

  Store& store_;
};

TEST_P(StoreConformanceTest, QueryViolationsAppliesEachFilter) {
  ViolationFilters f(store());
  f.Insert();
  using IdList = std::vector<int64_t>;
  const int64_t v1 = f.v1_, v2 = f.v2_, v3 = f.v3_, v4 = f.v4_;

  EXPECT_EQ(f.Query({}), (IdList{v4, v3, v2, v1}));
  ViolationQuery q;
  q.series = f.a_e2e_;
  EXPECT_EQ(f.Query(q), (IdList{v1}));
  q.series = f.b_e2e_;  // site "" is its own series
  EXPECT_EQ(f.Query(q), (IdList{v3}));

  q = {};
  q.provider = "openai";
  EXPECT_EQ(f.Query(q), (IdList{v2, v1}));
  q = {};
  q.model = "llama3";
  EXPECT_EQ(f.Query(q), (IdList{v4, v3}));
  q = {};
  q.metric = Metric::kTtftMs;
  EXPECT_EQ(f.Query(q), (IdList{v2}));
  q = {};
  q.rule = spc::Rule::kR1;
  EXPECT_EQ(f.Query(q), (IdList{v3, v1}));
  q = {};
  q.status = ViolationStatus::kOpen;
  EXPECT_EQ(f.Query(q), (IdList{v4, v1}));
  q.status = ViolationStatus::kResolved;
  EXPECT_EQ(f.Query(q), (IdList{v3}));
  q = {};
  q.phase = spc::Phase::kBaseline;
  EXPECT_EQ(f.Query(q), (IdList{v2}));
  q = {};
  q.since_ms = 400;  // last_time_ms ≥ since
  EXPECT_EQ(f.Query(q), (IdList{v4, v3, v2}));
  q = {};
  q.until_ms = 300;  // first_time_ms < until
  EXPECT_EQ(f.Query(q), (IdList{v1}));
  q.since_ms = 150;
  q.until_ms = 501;
  EXPECT_EQ(f.Query(q), (IdList{v3, v2, v1}));
  q = {};
  q.provider = "ollama";
  q.status = ViolationStatus::kOpen;
  EXPECT_EQ(f.Query(q), (IdList{v4}));
  q.rule = spc::Rule::kCusum;
  EXPECT_EQ(f.Query(q), (IdList{}));
  // Any of several rules (a query by severity); none of none.
  q = {};
  q.rules = std::vector<spc::Rule>{spc::Rule::kR1, spc::Rule::kShift};
  EXPECT_EQ(f.Query(q), (IdList{v3, v1}));
  q.rules = std::vector<spc::Rule>{};
  EXPECT_EQ(f.Query(q), (IdList{}));
}

TEST_P(StoreConformanceTest, QueryViolationsReadsAllOfTheContextOnlyItsTelemetryOrNone) {
  const SeriesKey key{Source("p", "m"), Metric::kE2eMs};
  ViolationRecord v = MakeViolation(key, spc::Rule::kShift, 100, 200);
  v.context_json = R"({"points":[{"index":1}],"telemetry":{"cpu_percent":12.5,"gpu_temp_c":null}})";
  ASSERT_TRUE(store().InsertViolation(v).ok());
  ViolationRecord plain = MakeViolation(key, spc::Rule::kJump, 100, 200);
  plain.context_json = "not json";
  ASSERT_TRUE(store().InsertViolation(plain).ok());
  ViolationQuery q;
  q.rules = std::vector<spc::Rule>{spc::Rule::kShift};
  EXPECT_EQ(store().QueryViolations(q)->at(0).context_json, v.context_json);
  q.context = ViolationQuery::Context::kNone;
  EXPECT_EQ(store().QueryViolations(q)->at(0).context_json, "");
  q.context = ViolationQuery::Context::kTelemetry;
  const nlohmann::json telemetry =
      nlohmann::json::parse(store().QueryViolations(q)->at(0).context_json);
  EXPECT_EQ(telemetry, nlohmann::json::parse(R"({"telemetry":{"cpu_percent":12.5,"gpu_temp_c":null}})"));
  q.rules = std::vector<spc::Rule>{spc::Rule::kJump};
  EXPECT_EQ(store().QueryViolations(q)->at(0).context_json, "");  // not JSON: no telemetry
}

TEST_P(StoreConformanceTest, QueryViolationsLimitKeepsTheNewest) {
  ViolationFilters f(store());
  f.Insert();
  ViolationQuery q;
  q.limit = 2;
  EXPECT_EQ(f.Query(q), (std::vector<int64_t>{f.v4_, f.v3_}));
  q.limit = 0;
  EXPECT_EQ(f.Query(q), (std::vector<int64_t>{}));
}

TEST_P(StoreConformanceTest, QueryViolationsPagesBeforeAnId) {
  ViolationFilters f(store());
  f.Insert();
  auto ids = [&](const ViolationQuery& q) {
    Result<std::vector<ViolationRecord>> got = store().QueryViolations(q);
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? Ids(*got) : std::vector<int64_t>{-1};
  };
  ViolationQuery q;
  q.limit = 2;
  q.before_id = f.v3_;  // the page after v4, v3
  EXPECT_EQ(ids(q), (std::vector<int64_t>{f.v2_, f.v1_}));
  q.before_id = f.v1_;
  EXPECT_EQ(ids(q), (std::vector<int64_t>{}));
  q.before_id = f.v3_ + 1;  // with the other filters
  q.rule = spc::Rule::kR1;
  EXPECT_EQ(ids(q), (std::vector<int64_t>{f.v3_, f.v1_}));
}

// ---- retention, persistence, threads ---------------------------------------------------------

TEST_P(StoreConformanceTest, DeleteOlderThanKeepsOpenViolations) {
  SourceKey source = Source("p", "m");
  AppendAt(store(), source, {100, 200, 300, 400, 249, 250});
  SeriesKey series = Series(source);
  ASSERT_TRUE(store().SaveStage(MakeStage(series, 0, true)).ok());
  auto add = [&](int64_t last_time_ms, ViolationStatus status) {
    ViolationRecord v = MakeViolation(series, spc::Rule::kR1, 0, last_time_ms, status);
    EXPECT_TRUE(store().InsertViolation(v).ok());
    return v.id;
  };
  const int64_t open_old = add(100, ViolationStatus::kOpen);
  add(200, ViolationStatus::kAcknowledged);
  add(249, ViolationStatus::kResolved);
  const int64_t resolved_at_cutoff = add(250, ViolationStatus::kResolved);
  const int64_t resolved_new = add(900, ViolationStatus::kResolved);
  const int64_t open_new = add(900, ViolationStatus::kOpen);

  Result<int64_t> deleted = store().DeleteOlderThan(250);
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(*deleted, 3 + 2);  // samples at 100, 200, 249; violations ending at 200, 249

  EXPECT_EQ(Times(*All(store())), (std::vector<int64_t>{300, 400, 250}));
  Result<std::vector<ViolationRecord>> left = store().QueryViolations({});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(Ids(*left),
            (std::vector<int64_t>{open_new, resolved_new, resolved_at_cutoff, open_old}));
  EXPECT_EQ(store().LoadStages(series)->size(), 1u);  // stages are not retention's business

  Result<int64_t> again = store().DeleteOlderThan(250);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_P(StoreConformanceTest, IdsAreNotReusedAfterRetention) {
  AppendAt(store(), Source("p", "m"), {1, 2, 3});
  ViolationRecord old_violation =
      MakeViolation(Series(Source("p", "m")), spc::Rule::kR1, 1, 3, ViolationStatus::kResolved);
  ASSERT_TRUE(store().InsertViolation(old_violation).ok());
  const int64_t last_sample_id = All(store())->back().id;
  ASSERT_TRUE(store().DeleteOlderThan(1000).ok());
  ASSERT_TRUE(All(store())->empty());

  std::vector<Sample> batch = {MakeSample(2000, Source("p", "m"))};
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  EXPECT_GT(batch.front().id, last_sample_id);
  ViolationRecord v = MakeViolation(Series(Source("p", "m")), spc::Rule::kR1, 2000, 2000);
  ASSERT_TRUE(store().InsertViolation(v).ok());
  EXPECT_GT(v.id, old_violation.id);
}

TEST_P(StoreConformanceTest, DataPersistsAcrossReopening) {
  std::vector<Sample> batch = {FullSample(), ZeroSample()};
  ASSERT_TRUE(store().AppendSamples(batch).ok());
  SeriesKey series = Series(FullSample().source);
  StageRecord stage = MakeStage(series, 1, true);
  ASSERT_TRUE(store().SaveStage(stage).ok());
  ViolationRecord v = MakeViolation(series, spc::Rule::kCusum, 5, 6);
  ASSERT_TRUE(store().InsertViolation(v).ok());
  ASSERT_TRUE(store().SetViolationStatus(v.id, ViolationStatus::kAcknowledged, "ann", 7).ok());
  v.status = ViolationStatus::kAcknowledged;
  v.status_by = "ann";
  v.status_time_ms = 7;

  Reopen();

  Result<std::vector<Sample>> samples = All(store());
  ASSERT_TRUE(samples.ok());
  ASSERT_EQ(samples->size(), 2u);
  ExpectSameSample((*samples)[0], batch[0]);
  ExpectSameSample((*samples)[1], batch[1]);
  Result<std::vector<StageRecord>> stages = store().LoadStages(series);
  ASSERT_TRUE(stages.ok());
  ASSERT_EQ(stages->size(), 1u);
  ExpectSameStage(stages->front(), stage);
  Result<std::optional<ViolationRecord>> got = store().GetViolation(v.id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  ExpectSameViolation(**got, v);

  std::vector<Sample> more = {MakeSample(9, Source("p", "m"))};
  ASSERT_TRUE(store().AppendSamples(more).ok());
  EXPECT_GT(more.front().id, batch.back().id);
}

TEST_P(StoreConformanceTest, ConcurrentAppendsAllLandWithUniqueIds) {
  constexpr int kThreads = 4, kBatches = 50, kBatchSize = 10;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Sample> batch;
        for (int i = 0; i < kBatchSize; ++i) {
          batch.push_back(MakeSample(b * kBatchSize + i, Source("p" + std::to_string(t), "m")));
        }
        if (!store().AppendSamples(batch).ok()) ++failures;
        for (const Sample& s : batch) ids[t].push_back(s.id);
      }
    });
  }
  // Reads proceed while the writers write.
  std::thread reader([&] {
    SampleQuery newest_20;
    newest_20.limit = 20;
    newest_20.newest_first = true;
    int64_t last_count = 0;
    while (writing) {
      Result<StoreStats> stats = store().Stats();
      Result<std::vector<Sample>> newest = store().QuerySamples(newest_20);
      if (!stats.ok() || !newest.ok() || stats->samples < last_count) ++failures;
      if (stats.ok()) last_count = stats->samples;
    }
  });
  for (std::thread& w : writers) w.join();
  writing = false;
  reader.join();
  EXPECT_EQ(failures, 0);

  std::set<int64_t> unique;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(ids[t].size(), static_cast<size_t>(kBatches * kBatchSize));
    EXPECT_TRUE(std::is_sorted(ids[t].begin(), ids[t].end()));
    unique.insert(ids[t].begin(), ids[t].end());
    SampleQuery q;
    q.provider = "p" + std::to_string(t);
    Result<std::vector<Sample>> got = store().QuerySamples(q);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(Ids(*got), ids[t]);
  }
  EXPECT_EQ(unique.size(), static_cast<size_t>(kThreads * kBatches * kBatchSize));
  EXPECT_EQ(store().Stats()->samples, kThreads * kBatches * kBatchSize);
}

}  // namespace
}  // namespace llmscope::store::conformance

// SamplesFromMetrics on histograms built with the generated OTLP classes: the histogram rule
// (one sample per interval at its mean), delta and cumulative temporality, resets, and what is
// ignored or refused; HistogramStreams' bound.
#include "otlp/metric_samples.h"

#include <gtest/gtest.h>

namespace llmscope::otlp {
namespace {

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::metrics::v1::AggregationTemporality;
using opentelemetry::proto::metrics::v1::HistogramDataPoint;
using opentelemetry::proto::metrics::v1::Metric;

constexpr uint64_t kStart = 1'765'000'000'000'000'000;  // ns
constexpr uint64_t kMinute = 60'000'000'000;

void SetString(google::protobuf::RepeatedPtrField<KeyValue>& attributes, const std::string& key,
               const std::string& value) {
  KeyValue* kv = attributes.Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// One export of one histogram with one data point of ollama/llama3.
ExportMetricsServiceRequest Export(const std::string& name, AggregationTemporality temporality,
                                   uint64_t start, uint64_t time, uint64_t count,
                                   std::optional<double> sum, const std::string& unit = "s") {
  ExportMetricsServiceRequest request;
  auto* rm = request.add_resource_metrics();
  SetString(*rm->mutable_resource()->mutable_attributes(), "service.name", "rag-api");
  Metric* metric = rm->add_scope_metrics()->add_metrics();
  metric->set_name(name);
  metric->set_unit(unit);
  metric->mutable_histogram()->set_aggregation_temporality(temporality);
  HistogramDataPoint* p = metric->mutable_histogram()->add_data_points();
  SetString(*p->mutable_attributes(), "gen_ai.provider.name", "ollama");
  SetString(*p->mutable_attributes(), "gen_ai.request.model", "llama3");
  p->set_start_time_unix_nano(start);
  p->set_time_unix_nano(time);
  p->set_count(count);
  if (sum) p->set_sum(*sum);
  return request;
}

constexpr auto kDelta = AggregationTemporality::AGGREGATION_TEMPORALITY_DELTA;
constexpr auto kCumulative = AggregationTemporality::AGGREGATION_TEMPORALITY_CUMULATIVE;

TEST(MetricSamplesTest, DeltaPointIsOneSampleAtTheIntervalMean) {
  HistogramStreams streams;
  ExportOutcome out = SamplesFromMetrics(
      Export("gen_ai.client.operation.duration", kDelta, kStart, kStart + kMinute, 4, 6.0),
      streams);
  ASSERT_EQ(out.samples.size(), 1u);
  const Sample& s = out.samples[0];
  EXPECT_EQ(s.source, (SourceKey{"ollama", "llama3", "", "rag-api"}));
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 1500);  // 6 s over 4 calls
  EXPECT_EQ(s.time_ms, static_cast<int64_t>((kStart + kMinute) / 1'000'000));
  EXPECT_FALSE(s.ttft_ms.has_value());
  EXPECT_TRUE(s.ingest_key.has_value());
}

TEST(MetricSamplesTest, EachGenAiHistogramFeedsItsSeries) {
  HistogramStreams streams;
  auto ttft = SamplesFromMetrics(
      Export("gen_ai.server.time_to_first_token", kDelta, kStart, kStart + kMinute, 2, 0.5),
      streams);
  auto chunk = SamplesFromMetrics(Export("gen_ai.client.operation.time_to_first_chunk", kDelta,
                                         kStart, kStart + kMinute, 1, 0.2),
                                  streams);
  auto tpot = SamplesFromMetrics(Export("gen_ai.server.time_per_output_token", kDelta, kStart,
                                        kStart + kMinute, 10, 30.0, "ms"),
                                 streams);
  ASSERT_EQ(ttft.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*ttft.samples[0].ttft_ms, 250);
  ASSERT_EQ(chunk.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*chunk.samples[0].ttft_ms, 200);
  ASSERT_EQ(tpot.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*tpot.samples[0].tpot_ms, 3);  // unit "ms"
}

TEST(MetricSamplesTest, CumulativePointsAreDifferencedPerStream) {
  HistogramStreams streams;
  const std::string name = "gen_ai.client.operation.duration";
  auto first =
      SamplesFromMetrics(Export(name, kCumulative, kStart, kStart + kMinute, 3, 3.0), streams);
  EXPECT_TRUE(first.samples.empty()) << "the first point only sets the baseline";
  EXPECT_EQ(first.ignored, 1);
  auto second =
      SamplesFromMetrics(Export(name, kCumulative, kStart, kStart + 2 * kMinute, 5, 8.0), streams);
  ASSERT_EQ(second.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*second.samples[0].e2e_ms, 2500);  // (8 − 3) s over (5 − 3) calls
  auto idle =
      SamplesFromMetrics(Export(name, kCumulative, kStart, kStart + 3 * kMinute, 5, 8.0), streams);
  EXPECT_TRUE(idle.samples.empty()) << "an interval without calls gives no sample";
  // The sender restarted: a new start time begins a new baseline.
  auto restarted = SamplesFromMetrics(
      Export(name, kCumulative, kStart + 4 * kMinute, kStart + 5 * kMinute, 1, 1.0), streams);
  EXPECT_TRUE(restarted.samples.empty());
  auto after = SamplesFromMetrics(
      Export(name, kCumulative, kStart + 4 * kMinute, kStart + 6 * kMinute, 2, 3.0), streams);
  ASSERT_EQ(after.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*after.samples[0].e2e_ms, 2000);
}

TEST(MetricSamplesTest, TokenUsageFailedCallsAndOtherMetricsAreIgnored) {
  HistogramStreams streams;
  auto tokens = SamplesFromMetrics(
      Export("gen_ai.client.token.usage", kDelta, kStart, kStart + kMinute, 2, 300, "{token}"),
      streams);
  EXPECT_TRUE(tokens.samples.empty());
  EXPECT_EQ(tokens.ignored, 1);
  auto failed = Export("gen_ai.client.operation.duration", kDelta, kStart, kStart + kMinute, 2, 9);
  SetString(*failed.mutable_resource_metrics(0)
                 ->mutable_scope_metrics(0)
                 ->mutable_metrics(0)
                 ->mutable_histogram()
                 ->mutable_data_points(0)
                 ->mutable_attributes(),
            "error.type", "timeout");
  auto failed_out = SamplesFromMetrics(failed, streams);
  EXPECT_TRUE(failed_out.samples.empty());
  EXPECT_EQ(failed_out.ignored, 1);
  auto other = SamplesFromMetrics(
      Export("http.server.request.duration", kDelta, kStart, kStart + kMinute, 2, 1), streams);
  EXPECT_EQ(other.ignored, 1);
}

TEST(MetricSamplesTest, APointWithoutSumIsRefused) {
  HistogramStreams streams;
  auto out = SamplesFromMetrics(
      Export("gen_ai.client.operation.duration", kDelta, kStart, kStart + kMinute, 2, std::nullopt),
      streams);
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(out.rejected, 1);
  EXPECT_NE(out.first_rejection.find("no sum"), std::string::npos);
}

TEST(HistogramStreamsTest, ForgetsTheLeastRecentlyUpdatedStreamBeyondItsBound) {
  HistogramStreams streams(2);
  EXPECT_FALSE(streams.Difference("a", 1, 1, 1.0));
  EXPECT_FALSE(streams.Difference("b", 1, 1, 1.0));
  EXPECT_TRUE(streams.Difference("a", 1, 2, 3.0));   // a is now the most recent
  EXPECT_FALSE(streams.Difference("c", 1, 1, 1.0));  // forgets b
  EXPECT_EQ(streams.size(), 2u);
  EXPECT_TRUE(streams.Difference("a", 1, 3, 4.0));
  EXPECT_FALSE(streams.Difference("b", 1, 2, 2.0)) << "b was forgotten: a new baseline";
}

}  // namespace
}  // namespace llmscope::otlp

// SamplesFromTraces on spans built with the generated OTLP classes: the attribute mapping of
// span_samples.h and genai_attributes.h, ignored and refused spans.
#include "otlp/span_samples.h"

#include <gtest/gtest.h>

namespace llmscope::otlp {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::trace::v1::Span;
using opentelemetry::proto::trace::v1::Status;

constexpr uint64_t kStart = 1'765'000'000'000'000'000;  // ns

void SetString(google::protobuf::RepeatedPtrField<KeyValue>& attributes, const std::string& key,
               const std::string& value) {
  KeyValue* kv = attributes.Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}
void SetInt(google::protobuf::RepeatedPtrField<KeyValue>& attributes, const std::string& key,
            int64_t value) {
  KeyValue* kv = attributes.Add();
  kv->set_key(key);
  kv->mutable_value()->set_int_value(value);
}
void SetDouble(google::protobuf::RepeatedPtrField<KeyValue>& attributes, const std::string& key,
               double value) {
  KeyValue* kv = attributes.Add();
  kv->set_key(key);
  kv->mutable_value()->set_double_value(value);
}

class SpanSamplesTest : public ::testing::Test {
 protected:
  SpanSamplesTest() {
    auto* resource_spans = request_.add_resource_spans();
    auto& res = *resource_spans->mutable_resource()->mutable_attributes();
    SetString(res, "service.name", "checkout");
    SetString(res, "deployment.environment.name", "prod");
    spans_ = resource_spans->add_scope_spans();
  }
  // A span of `duration_ms` from kStart with the given GenAI provider and models.
  Span& AddSpan(double duration_ms) {
    Span* span = spans_->add_spans();
    span->set_name("chat gpt-4o");
    span->set_trace_id(std::string(16, '\x01'));
    span->set_span_id(std::string(8, static_cast<char>(spans_->spans_size())));
    span->set_start_time_unix_nano(kStart);
    span->set_end_time_unix_nano(kStart + static_cast<uint64_t>(duration_ms * 1e6));
    return *span;
  }

  ExportTraceServiceRequest request_;
  opentelemetry::proto::trace::v1::ScopeSpans* spans_;
};

TEST_F(SpanSamplesTest, GenAiSpanBecomesOneSampleWithEveryMappedField) {
  Span& span = AddSpan(812.5);
  auto& a = *span.mutable_attributes();
  SetString(a, "gen_ai.operation.name", "chat");
  SetString(a, "gen_ai.provider.name", "openai");
  SetString(a, "gen_ai.request.model", "gpt-4o");
  SetString(a, "gen_ai.response.model", "gpt-4o-2024-08-06");
  SetInt(a, "gen_ai.usage.input_tokens", 21);
  SetInt(a, "gen_ai.usage.output_tokens", 64);
  SetDouble(a, "gen_ai.server.time_to_first_token", 0.125);
  SetDouble(a, "gen_ai.server.time_per_output_token", 0.01);
  SetDouble(a, "gen_ai.usage.cost", 0.0042);

  ExportOutcome out = SamplesFromTraces(request_);
  ASSERT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.ignored, 0);
  EXPECT_EQ(out.rejected, 0);
  const Sample& s = out.samples[0];
  EXPECT_EQ(s.source, (SourceKey{"openai", "gpt-4o-2024-08-06", "prod", "checkout"}));
  EXPECT_EQ(s.time_ms, static_cast<int64_t>(kStart / 1'000'000) + 812);
  EXPECT_DOUBLE_EQ(*s.e2e_ms, 812.5);
  EXPECT_DOUBLE_EQ(*s.ttft_ms, 125);
  EXPECT_DOUBLE_EQ(*s.tpot_ms, 10);
  EXPECT_DOUBLE_EQ(*s.cost_usd, 0.0042);
  EXPECT_EQ(*s.tokens_in, 21);
  EXPECT_EQ(*s.tokens_out, 64);
  EXPECT_FALSE(s.error);
  EXPECT_EQ(*s.ingest_key, "otlp/01010101010101010101010101010101/0101010101010101");
}

TEST_F(SpanSamplesTest, OlderNamesOfOpenLlmetryAndOpenLit) {
  Span& span = AddSpan(100);
  auto& a = *span.mutable_attributes();
  SetString(a, "gen_ai.system", "Anthropic");
  SetString(a, "gen_ai.request.model", "claude-3-5-haiku");
  SetInt(a, "gen_ai.usage.prompt_tokens", 5);
  SetInt(a, "gen_ai.usage.completion_tokens", 9);
  SetDouble(a, "gen_ai.server.ttft", 0.05);
  SetString(a, "llmscope.profile", "summaries");

  ExportOutcome out = SamplesFromTraces(request_);
  ASSERT_EQ(out.samples.size(), 1u);
  const Sample& s = out.samples[0];
  EXPECT_EQ(s.source, (SourceKey{"anthropic", "claude-3-5-haiku", "prod", "summaries"}));
  EXPECT_EQ(*s.tokens_in, 5);
  EXPECT_EQ(*s.tokens_out, 9);
  EXPECT_DOUBLE_EQ(*s.ttft_ms, 50);
}

TEST_F(SpanSamplesTest, ErrorStatusOrErrorTypeMakesAFailedCall) {
  Span& by_status = AddSpan(40);
  SetString(*by_status.mutable_attributes(), "gen_ai.provider.name", "openai");
  SetString(*by_status.mutable_attributes(), "gen_ai.request.model", "gpt-4o");
  by_status.mutable_status()->set_code(Status::STATUS_CODE_ERROR);
  by_status.mutable_status()->set_message("connection reset");
  Span& by_type = AddSpan(50);
  SetString(*by_type.mutable_attributes(), "gen_ai.provider.name", "openai");
  SetString(*by_type.mutable_attributes(), "gen_ai.request.model", "gpt-4o");
  SetString(*by_type.mutable_attributes(), "error.type", "timeout");

  ExportOutcome out = SamplesFromTraces(request_);
  ASSERT_EQ(out.samples.size(), 2u);
  EXPECT_TRUE(out.samples[0].error);
  EXPECT_EQ(out.samples[0].error_kind, "error");
  EXPECT_EQ(out.samples[0].error_message, "connection reset");
  EXPECT_TRUE(out.samples[1].error);
  EXPECT_EQ(out.samples[1].error_kind, "timeout");
}

TEST_F(SpanSamplesTest, SpansWithoutGenAiAttributesAreIgnoredAndCounted) {
  SetString(*AddSpan(3).mutable_attributes(), "http.request.method", "GET");
  AddSpan(4);
  ExportOutcome out = SamplesFromTraces(request_);
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(out.ignored, 2);
  EXPECT_EQ(out.rejected, 0);
}

TEST_F(SpanSamplesTest, GenAiSpansThatCannotBeSamplesAreRefusedWithTheFirstReason) {
  SetString(*AddSpan(10).mutable_attributes(), "gen_ai.operation.name", "chat");  // no provider
  Span& no_model = AddSpan(10);
  SetString(*no_model.mutable_attributes(), "gen_ai.provider.name", "openai");
  Span& backwards = AddSpan(10);
  SetString(*backwards.mutable_attributes(), "gen_ai.provider.name", "openai");
  SetString(*backwards.mutable_attributes(), "gen_ai.request.model", "gpt-4o");
  backwards.set_end_time_unix_nano(kStart - 1);

  ExportOutcome out = SamplesFromTraces(request_);
  EXPECT_TRUE(out.samples.empty());
  EXPECT_EQ(out.rejected, 3);
  EXPECT_NE(out.first_rejection.find("no gen_ai.provider.name"), std::string::npos)
      << out.first_rejection;
}

TEST_F(SpanSamplesTest, TheSdkDefaultServiceNameIsNoProfile) {
  auto* other = request_.add_resource_spans();
  SetString(*other->mutable_resource()->mutable_attributes(), "service.name",
            "unknown_service:node");
  Span* span = other->add_scope_spans()->add_spans();
  span->set_start_time_unix_nano(kStart);
  span->set_end_time_unix_nano(kStart + 1'000'000);
  SetString(*span->mutable_attributes(), "gen_ai.provider.name", "ollama");
  SetString(*span->mutable_attributes(), "gen_ai.request.model", "llama3");

  ExportOutcome out = SamplesFromTraces(request_);
  ASSERT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.samples[0].source, (SourceKey{"ollama", "llama3", "", ""}));
  EXPECT_FALSE(out.samples[0].ingest_key.has_value()) << "a span without ids has no ingest key";
}

}  // namespace
}  // namespace llmscope::otlp

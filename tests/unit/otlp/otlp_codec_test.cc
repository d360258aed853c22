// The two OTLP encodings: OTLP/JSON as OpenTelemetry's SDKs write it (hex ids, lowerCamelCase,
// enums as integers, 64-bit integers as strings), binary protobuf, and the error reply.
#include "otlp/otlp_codec.h"

#include <gtest/gtest.h>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/span_samples.h"

namespace llmscope::otlp {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr char kOtlpJson[] = R"({
  "resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
    "scopeSpans": [{
      "scope": {"name": "openlit"},
      "spans": [{
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": "eee19b7ec3c1b174",
        "name": "chat gpt-4o",
        "kind": 3,
        "startTimeUnixNano": "1765000000000000000",
        "endTimeUnixNano": 1765000000750000000,
        "attributes": [
          {"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}},
          {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
          {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "33"}}
        ],
        "status": {"code": 2, "message": "boom"},
        "futureField": {"ignored": true}
      }]
    }]
  }]
})";

TEST(OtlpCodecTest, ReadsOtlpJsonWithHexIdsAndStringIntegers) {
  ExportTraceServiceRequest request;
  ASSERT_TRUE(DecodeMessage(kOtlpJson, OtlpEncoding::kJson, request));
  const auto& span = request.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(span.trace_id(),
            std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  EXPECT_EQ(span.span_id(), std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  EXPECT_EQ(span.end_time_unix_nano(), 1765000000750000000u);

  ExportOutcome out = SamplesFromTraces(request);
  ASSERT_EQ(out.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*out.samples[0].e2e_ms, 750);
  EXPECT_EQ(*out.samples[0].tokens_out, 33);
  EXPECT_TRUE(out.samples[0].error);
  EXPECT_EQ(*out.samples[0].ingest_key, "otlp/5b8efff798038103d269b633813fc60c/eee19b7ec3c1b174");
}

TEST(OtlpCodecTest, ProtobufRoundTripMeansTheSameSpan) {
  ExportTraceServiceRequest from_json;
  ASSERT_TRUE(DecodeMessage(kOtlpJson, OtlpEncoding::kJson, from_json));
  const std::string wire = EncodeMessage(from_json, OtlpEncoding::kProtobuf);
  ExportTraceServiceRequest from_wire;
  ASSERT_TRUE(DecodeMessage(wire, OtlpEncoding::kProtobuf, from_wire));
  EXPECT_EQ(from_wire.SerializeAsString(), wire);
  EXPECT_EQ(SamplesFromTraces(from_wire).samples[0].ingest_key,
            SamplesFromTraces(from_json).samples[0].ingest_key);
}

TEST(OtlpCodecTest, BadBodiesAreInvalidPayloads) {
  ExportTraceServiceRequest request;
  Status garbage =
      DecodeMessage(std::string("\xff\xff\xff\xff\x0f", 5), OtlpEncoding::kProtobuf, request);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, "invalid_payload");
  Status not_json = DecodeMessage("{\"resourceSpans\": 7}", OtlpEncoding::kJson, request);
  ASSERT_FALSE(not_json);
  EXPECT_NE(not_json.error().message.find("OTLP/JSON"), std::string::npos);
}

TEST(OtlpCodecTest, ErrorReplyIsAGoogleRpcStatusInTheRequestsEncoding) {
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(EncodeRpcStatus(3, "bad span", OtlpEncoding::kProtobuf)));
  EXPECT_EQ(status.code(), 3);
  EXPECT_EQ(status.message(), "bad span");
  EXPECT_EQ(EncodeRpcStatus(14, "later", OtlpEncoding::kJson), R"({"code":14,"message":"later"})");
}

TEST(OtlpCodecTest, ContentTypesNameTheEncoding) {
  EXPECT_EQ(EncodingOfContentType("application/x-protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(EncodingOfContentType("application/json; charset=utf-8"), OtlpEncoding::kJson);
  EXPECT_EQ(EncodingOfContentType("text/plain"), std::nullopt);
  EXPECT_EQ(EncodingOfContentType(""), std::nullopt);
}

}  // namespace
}  // namespace llmscope::otlp

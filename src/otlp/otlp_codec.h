// The two encodings of OTLP/HTTP (opentelemetry-proto's docs/specification.md "OTLP/HTTP"):
// binary protobuf (application/x-protobuf) and OTLP/JSON (application/json), for requests,
// replies and the google.rpc.Status of an error reply. Pure: no I/O.
//
// OTLP/JSON is read with protobuf's own JSON parser (JsonStringToMessage), which takes what
// OTLP/JSON differs in: lowerCamelCase names (and the original names), enums as integers,
// 64-bit integers as strings or numbers; unknown fields are ignored, as the specification asks
// of receivers. One difference it does not know: OTLP/JSON writes trace and span ids in hex,
// protobuf's JSON in base64. Hex digits are base64 digits, so a hex id of 16 or 32 digits reads
// as other bytes that encode back to the same text; DecodeMessage turns the spans' ids of an
// ExportTraceServiceRequest back into the bytes their hex names, so ids mean the same in both
// encodings (span_samples.h's ingest_key).
#pragma once

#include <google/protobuf/message.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace llmscope::otlp {

enum class OtlpEncoding { kProtobuf, kJson };

// The encoding a Content-Type names ("application/x-protobuf", "application/json", parameters
// such as "; charset=utf-8" allowed); nullopt for any other type.
std::optional<OtlpEncoding> EncodingOfContentType(std::string_view content_type);
// "application/x-protobuf" or "application/json".
std::string_view ContentTypeOf(OtlpEncoding encoding);

// Parses `body` into `message` (cleared first). Error code "invalid_payload", with why;
// libprotobuf's own log lines about the body are not written.
Status DecodeMessage(std::string_view body, OtlpEncoding encoding,
                     google::protobuf::Message& message);

// The message in the encoding (replies: they carry no ids).
std::string EncodeMessage(const google::protobuf::Message& message, OtlpEncoding encoding);

// A google.rpc.Status with `code` (a google.rpc.Code: 3 INVALID_ARGUMENT, 14 UNAVAILABLE, ...)
// and `message`, in the encoding: the body of an OTLP error reply.
std::string EncodeRpcStatus(int code, const std::string& message, OtlpEncoding encoding);

}  // namespace llmscope::otlp

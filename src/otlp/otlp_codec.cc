#include "otlp/otlp_codec.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include "google/rpc/status.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace llmscope::otlp {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

std::string Base64(const std::string& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto b0 = static_cast<unsigned char>(bytes[i]);
    const auto b1 = static_cast<unsigned char>(bytes[i + 1]);
    const auto b2 = static_cast<unsigned char>(bytes[i + 2]);
    out += kDigits[b0 >> 2];
    out += kDigits[((b0 & 3) << 4) | (b1 >> 4)];
    out += kDigits[((b1 & 15) << 2) | (b2 >> 6)];
    out += kDigits[b2 & 63];
  }
  return i == bytes.size() ? out : std::string();  // ids of 16 and 32 hex digits are whole groups
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes protobuf's JSON parser read from a hex id, back to the bytes the hex names; left as
// read when that text was no hex (a sender that wrote base64).
void RestoreHexId(std::string& id) {
  const std::string text = Base64(id);
  if (text.empty() || text.size() % 2 != 0) return;
  std::string bytes;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexDigit(text[i]);
    const int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return;
    bytes += static_cast<char>(hi * 16 + lo);
  }
  id = std::move(bytes);
}

void RestoreHexIds(ExportTraceServiceRequest& request) {
  for (auto& resource_spans : *request.mutable_resource_spans()) {
    for (auto& scope_spans : *resource_spans.mutable_scope_spans()) {
      for (auto& span : *scope_spans.mutable_spans()) {
        RestoreHexId(*span.mutable_trace_id());
        RestoreHexId(*span.mutable_span_id());
        RestoreHexId(*span.mutable_parent_span_id());
      }
    }
  }
}

}  // namespace

std::optional<OtlpEncoding> EncodingOfContentType(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  const auto trimmed = type.substr(0, type.find_last_not_of(' ') + 1);
  if (trimmed == "application/x-protobuf") return OtlpEncoding::kProtobuf;
  if (trimmed == "application/json") return OtlpEncoding::kJson;
  return std::nullopt;
}

std::string_view ContentTypeOf(OtlpEncoding encoding) {
  return encoding == OtlpEncoding::kProtobuf ? "application/x-protobuf" : "application/json";
}

Status DecodeMessage(std::string_view body, OtlpEncoding encoding,
                     google::protobuf::Message& message) {
  message.Clear();
  // libprotobuf logs each invalid UTF-8 string it meets to stderr: a sender could fill the
  // server's log. The reply carries why the body was refused.
  const google::protobuf::LogSilencer silence_parser_log;
  if (encoding == OtlpEncoding::kProtobuf) {
    if (!message.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      return Error{"invalid_payload", "the body is not a valid protobuf " + message.GetTypeName()};
    }
    return {};
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), &message, options);
  if (!status.ok()) {
    return Error{"invalid_payload", "the body is not a valid OTLP/JSON " + message.GetTypeName() +
                                        ": " + std::string(status.message())};
  }
  if (auto* traces = dynamic_cast<ExportTraceServiceRequest*>(&message)) RestoreHexIds(*traces);
  return {};
}

std::string EncodeMessage(const google::protobuf::Message& message, OtlpEncoding encoding) {
  std::string out;
  if (encoding == OtlpEncoding::kProtobuf) {
    message.SerializeToString(&out);
  } else {
    google::protobuf::util::MessageToJsonString(message, &out);
  }
  return out;
}

std::string EncodeRpcStatus(int code, const std::string& message, OtlpEncoding encoding) {
  google::rpc::Status status;
  status.set_code(code);
  status.set_message(message);
  return EncodeMessage(status, encoding);
}

}  // namespace llmscope::otlp

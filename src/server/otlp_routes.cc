#include "server/otlp_routes.h"

#include <httplib.h>

#include <memory>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/histogram_streams.h"
#include "otlp/metric_samples.h"
#include "otlp/otlp_codec.h"
#include "otlp/span_samples.h"

namespace llmscope::server {
namespace {

using httplib::Request;
using httplib::Response;
using otlp::OtlpEncoding;
namespace collector_trace = opentelemetry::proto::collector::trace::v1;
namespace collector_metrics = opentelemetry::proto::collector::metrics::v1;

// google.rpc.Code values of the error replies.
constexpr int kInvalidArgument = 3;
constexpr int kUnavailable = 14;

void SendRpcStatus(Response& res, int http_status, int rpc_code, const std::string& message,
                   OtlpEncoding encoding) {
  res.status = http_status;
  res.set_content(otlp::EncodeRpcStatus(rpc_code, message, encoding),
                  std::string(otlp::ContentTypeOf(encoding)));
}

void SendMessage(Response& res, const google::protobuf::Message& message, OtlpEncoding encoding) {
  res.status = 200;
  res.set_content(otlp::EncodeMessage(message, encoding),
                  std::string(otlp::ContentTypeOf(encoding)));
}

// The body, at most `body_limit` bytes. cpp-httplib inflates a body sent with Content-Encoding
// gzip, deflate or br as it reads it (and passes any other as it came) and bounds only the bytes
// on the wire, so the inflated bytes are counted here: past the limit they are read and dropped,
// so a small "zip bomb" never fills memory, and the connection stays in step for its next
// request (stopping the read would leave the rest of the body to be read as one).
Result<std::string> ReadBody(const httplib::ContentReader& reader, const Response& res,
                             size_t body_limit) {
  std::string body;
  bool too_large = false;
  const bool read = reader([&](const char* data, size_t n) {
    if (too_large || body.size() + n > body_limit) {
      too_large = true;
    } else {
      body.append(data, n);
    }
    return true;
  });
  if (too_large || res.status == 413) {
    return Error{"body_too_large",
                 "the body is larger than " + std::to_string(body_limit) + " bytes (inflated)"};
  }
  if (!read) return Error{"invalid_payload", "the body could not be read or inflated"};
  return body;
}

// The request's message, decoded; nullopt once an error reply has been sent.
template <typename Message>
std::optional<OtlpEncoding> DecodeRequest(const Request& req, Response& res,
                                          const httplib::ContentReader& reader, size_t body_limit,
                                          Message& message) {
  const std::optional<OtlpEncoding> encoding =
      otlp::EncodingOfContentType(req.get_header_value("Content-Type"));
  if (!encoding) {
    SendRpcStatus(res, 415, kInvalidArgument,
                  "send Content-Type application/x-protobuf or application/json",
                  OtlpEncoding::kJson);
    return std::nullopt;
  }
  const std::string content_encoding = req.get_header_value("Content-Encoding");
  if (!content_encoding.empty() && content_encoding != "identity" && content_encoding != "gzip" &&
      content_encoding != "deflate" && content_encoding != "br") {
    SendRpcStatus(res, 415, kInvalidArgument,
                  "Content-Encoding " + content_encoding + " is not supported: send gzip or none",
                  *encoding);
    return std::nullopt;
  }
  Result<std::string> body = ReadBody(reader, res, body_limit);
  if (!body) {
    const int status = body.error().code == "body_too_large" ? 413 : 400;
    SendRpcStatus(res, status, kInvalidArgument, body.error().message, *encoding);
    return std::nullopt;
  }
  if (Status decoded = otlp::DecodeMessage(*body, *encoding, message); !decoded) {
    SendRpcStatus(res, 400, kInvalidArgument, decoded.error().message, *encoding);
    return std::nullopt;
  }
  return encoding;
}

// Checks the outcome's samples as POST /api/stats does (a sample that fails is one more refused
// item) and ingests the rest. False once the 503 reply has been sent.
bool StoreOutcome(otlp::ExportOutcome& outcome, monitor::SeriesMonitor& monitor,
                  const IngestLimits& limits, int64_t now_ms, Response& res,
                  OtlpEncoding encoding) {
  std::vector<Sample> valid;
  valid.reserve(outcome.samples.size());
  for (Sample& s : outcome.samples) {
    if (Status ok = ValidateSample(s, now_ms, limits); !ok) {
      outcome.Reject(s.source.provider + "/" + s.source.model + ": " + ok.error().message);
    } else {
      valid.push_back(std::move(s));
    }
  }
  outcome.samples.clear();
  if (valid.empty()) return true;
  Result<monitor::IngestReceipt> receipt = monitor.Ingest(std::move(valid));
  if (!receipt) {
    SendRpcStatus(res, 503, kUnavailable, "the samples were not stored: " + receipt.error().message,
                  encoding);
    return false;
  }
  return true;
}

// partial_success's message: the first refusal, and what was ignored.
std::string OutcomeMessage(const otlp::ExportOutcome& outcome, const char* items) {
  std::string message = outcome.first_rejection;
  if (outcome.ignored > 0) {
    if (!message.empty()) message += "; ";
    message += std::to_string(outcome.ignored) + " " + items +
               " accepted and ignored (docs/design.md \"OpenTelemetry ingest\")";
  }
  return message;
}

}  // namespace

void RegisterOtlpRoutes(httplib::Server& server, monitor::SeriesMonitor& monitor,
                        const IngestLimits& limits, size_t body_limit, const Clock& clock) {
  server.Post("/v1/traces",
              [&monitor, limits, body_limit, clock](const Request& req, Response& res,
                                                    const httplib::ContentReader& reader) {
                collector_trace::ExportTraceServiceRequest request;
                const std::optional<OtlpEncoding> encoding =
                    DecodeRequest(req, res, reader, body_limit, request);
                if (!encoding) return;
                otlp::ExportOutcome outcome = otlp::SamplesFromTraces(request);
                if (!StoreOutcome(outcome, monitor, limits, clock(), res, *encoding)) return;
                collector_trace::ExportTraceServiceResponse reply;
                const std::string message = OutcomeMessage(outcome, "spans");
                if (!message.empty()) {
                  reply.mutable_partial_success()->set_rejected_spans(outcome.rejected);
                  reply.mutable_partial_success()->set_error_message(message);
                }
                SendMessage(res, reply, *encoding);
              });

  // The last cumulative point of each histogram stream, shared by every /v1/metrics request.
  auto streams = std::make_shared<otlp::HistogramStreams>();
  server.Post("/v1/metrics",
              [&monitor, limits, body_limit, clock, streams](const Request& req, Response& res,
                                                             const httplib::ContentReader& reader) {
                collector_metrics::ExportMetricsServiceRequest request;
                const std::optional<OtlpEncoding> encoding =
                    DecodeRequest(req, res, reader, body_limit, request);
                if (!encoding) return;
                otlp::ExportOutcome outcome = otlp::SamplesFromMetrics(request, *streams);
                if (!StoreOutcome(outcome, monitor, limits, clock(), res, *encoding)) return;
                collector_metrics::ExportMetricsServiceResponse reply;
                const std::string message = OutcomeMessage(outcome, "data points");
                if (!message.empty()) {
                  reply.mutable_partial_success()->set_rejected_data_points(outcome.rejected);
                  reply.mutable_partial_success()->set_error_message(message);
                }
                SendMessage(res, reply, *encoding);
              });
}

}  // namespace llmscope::server

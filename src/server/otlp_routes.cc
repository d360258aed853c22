#include "server/otlp_routes.h"

#include <functional>
#include <memory>

#include "http/request_decoding.h"
#include "http/router.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/histogram_streams.h"
#include "otlp/metric_samples.h"
#include "otlp/otlp_codec.h"
#include "otlp/span_samples.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;
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

// The request's message, decoded; nullopt once an error reply has been sent.
template <typename Message>
std::optional<OtlpEncoding> DecodeRequest(const Request& req, Response& res, size_t body_limit,
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
  if (!http::RequestEncodingKnown(content_encoding)) {
    SendRpcStatus(res, 415, kInvalidArgument,
                  "Content-Encoding " + content_encoding + " is not supported: send gzip, deflate or none",
                  *encoding);
    return std::nullopt;
  }
  // The engine bounds the bytes on the wire; the inflated bytes are bounded here.
  Result<std::string> body = http::DecodeRequestBody(req.body, content_encoding, body_limit);
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

// What both receivers need. The monitor and the metrics outlive the routes.
struct OtlpIngest {
  monitor::SeriesMonitor& monitor;
  PrometheusMetrics& metrics;
  IngestLimits limits;
  size_t body_limit;
  Clock clock;
};

// Checks the outcome's samples as POST /api/stats does (a sample that fails is one more refused
// item) and ingests the rest. The number stored, or nullopt once the 503 reply has been sent.
std::optional<int64_t> StoreOutcome(otlp::ExportOutcome& outcome, const OtlpIngest& ingest,
                                    Response& res, OtlpEncoding encoding) {
  const int64_t now_ms = ingest.clock();
  std::vector<Sample> valid;
  valid.reserve(outcome.samples.size());
  for (Sample& s : outcome.samples) {
    if (Status ok = ValidateSample(s, now_ms, ingest.limits); !ok) {
      outcome.Reject(s.source.provider + "/" + s.source.model + ": " + ok.error().message);
    } else {
      valid.push_back(std::move(s));
    }
  }
  outcome.samples.clear();
  const auto stored = static_cast<int64_t>(valid.size());
  if (valid.empty()) return stored;
  Result<monitor::IngestReceipt> receipt = ingest.monitor.Ingest(std::move(valid));
  if (!receipt) {
    SendRpcStatus(res, 503, kUnavailable, "the samples were not stored: " + receipt.error().message,
                  encoding);
    return std::nullopt;
  }
  return stored;
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

// One export request: decoded, turned into samples by `translate`, stored, counted in /metrics,
// answered with the response that `set_partial_success` fills when there is something to say.
template <typename ExportRequest, typename ExportResponse>
void HandleExport(
    const OtlpIngest& ingest, const char* signal, const char* items, const Request& req,
    Response& res,
    const std::function<otlp::ExportOutcome(const ExportRequest&)>& translate,
    const std::function<void(ExportResponse&, int64_t, const std::string&)>& set_partial_success) {
  ExportRequest request;
  const std::optional<OtlpEncoding> encoding =
      DecodeRequest(req, res, ingest.body_limit, request);
  if (!encoding) return;
  otlp::ExportOutcome outcome = translate(request);
  const std::optional<int64_t> stored = StoreOutcome(outcome, ingest, res, *encoding);
  if (!stored) return;
  ingest.metrics.CountOtlpItems(signal, *stored, outcome.ignored, outcome.rejected);
  ExportResponse reply;
  const std::string message = OutcomeMessage(outcome, items);
  if (!message.empty()) set_partial_success(reply, outcome.rejected, message);
  SendMessage(res, reply, *encoding);
}

}  // namespace

void RegisterOtlpRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                        PrometheusMetrics& metrics, const IngestLimits& limits, size_t body_limit,
                        const Clock& clock) {
  const OtlpIngest ingest{monitor, metrics, limits, body_limit, clock};
  router.Post("/v1/traces", [ingest](const Request& req, Response& res) {
    using collector_trace::ExportTraceServiceRequest;
    using collector_trace::ExportTraceServiceResponse;
    HandleExport<ExportTraceServiceRequest, ExportTraceServiceResponse>(
        ingest, "traces", "spans", req, res, otlp::SamplesFromTraces,
        [](ExportTraceServiceResponse& reply, int64_t rejected, const std::string& message) {
          reply.mutable_partial_success()->set_rejected_spans(rejected);
          reply.mutable_partial_success()->set_error_message(message);
        });
  });

  // The last cumulative point of each histogram stream, shared by every /v1/metrics request.
  auto streams = std::make_shared<otlp::HistogramStreams>();
  router.Post("/v1/metrics", [ingest, streams](const Request& req, Response& res) {
    using collector_metrics::ExportMetricsServiceRequest;
    using collector_metrics::ExportMetricsServiceResponse;
    HandleExport<ExportMetricsServiceRequest, ExportMetricsServiceResponse>(
        ingest, "metrics", "data points", req, res,
        [&streams](const ExportMetricsServiceRequest& request) {
          return otlp::SamplesFromMetrics(request, *streams);
        },
        [](ExportMetricsServiceResponse& reply, int64_t rejected, const std::string& message) {
          reply.mutable_partial_success()->set_rejected_data_points(rejected);
          reply.mutable_partial_success()->set_error_message(message);
        });
  });
}

}  // namespace llmscope::server

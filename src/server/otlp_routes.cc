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

// Takes the outcome's samples that pass the checks of POST /api/stats; a sample that fails is
// one more refused item.
std::vector<Sample> TakeValidSamples(otlp::ExportOutcome& outcome, const OtlpIngest& ingest) {
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
  return valid;
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

template <typename ExportResponse>
using SetPartialSuccess = std::function<void(ExportResponse&, int64_t, const std::string&)>;

// The reply to an export whose `stored` samples are stored: counted in /metrics, answered with
// the response that `set_partial_success` fills when there is something to say.
template <typename ExportResponse>
Response ExportReply(PrometheusMetrics& metrics, const char* signal, const char* items,
                     const otlp::ExportOutcome& outcome, int64_t stored, OtlpEncoding encoding,
                     const SetPartialSuccess<ExportResponse>& set_partial_success) {
  metrics.CountOtlpItems(signal, stored, outcome.ignored, outcome.rejected);
  ExportResponse reply;
  const std::string message = OutcomeMessage(outcome, items);
  if (!message.empty()) set_partial_success(reply, outcome.rejected, message);
  Response res;
  SendMessage(res, reply, encoding);
  return res;
}

// One export request: decoded, turned into samples by `translate`, handed to the monitor's group
// commit, answered through `responder` once they are stored (from the monitor's writer thread;
// no thread waits for the commit, as for POST /api/stats).
template <typename ExportRequest, typename ExportResponse>
void HandleExport(const OtlpIngest& ingest, const char* signal, const char* items,
                  const Request& req, const std::shared_ptr<http::Responder>& responder,
                  const std::function<otlp::ExportOutcome(const ExportRequest&)>& translate,
                  const SetPartialSuccess<ExportResponse>& set_partial_success) {
  ExportRequest request;
  Response res;
  const std::optional<OtlpEncoding> encoding = DecodeRequest(req, res, ingest.body_limit, request);
  if (!encoding) return responder->Send(std::move(res));
  otlp::ExportOutcome outcome = translate(request);
  std::vector<Sample> valid = TakeValidSamples(outcome, ingest);
  if (valid.empty()) {
    return responder->Send(ExportReply<ExportResponse>(ingest.metrics, signal, items, outcome, 0,
                                                       *encoding, set_partial_success));
  }
  const auto stored = static_cast<int64_t>(valid.size());
  ingest.monitor.IngestAsync(
      std::move(valid), [&metrics = ingest.metrics, signal, items, outcome = std::move(outcome),
                         stored, encoding = *encoding, set_partial_success,
                         responder](const Result<monitor::IngestReceipt>& receipt) {
        if (!receipt) {
          Response failed;
          SendRpcStatus(failed, 503, kUnavailable,
                        "the samples were not stored: " + receipt.error().message, encoding);
          return responder->Send(std::move(failed));
        }
        responder->Send(ExportReply<ExportResponse>(metrics, signal, items, outcome, stored,
                                                    encoding, set_partial_success));
      });
}

}  // namespace

void RegisterOtlpRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                        PrometheusMetrics& metrics, const IngestLimits& limits, size_t body_limit,
                        const Clock& clock) {
  const OtlpIngest ingest{monitor, metrics, limits, body_limit, clock};
  // Asynchronous (docs/design.md "HTTP engine"), as POST /api/stats.
  router.PostAsync("/v1/traces", [ingest](const Request& req,
                                          const std::shared_ptr<http::Responder>& responder) {
    using collector_trace::ExportTraceServiceRequest;
    using collector_trace::ExportTraceServiceResponse;
    HandleExport<ExportTraceServiceRequest, ExportTraceServiceResponse>(
        ingest, "traces", "spans", req, responder, otlp::SamplesFromTraces,
        [](ExportTraceServiceResponse& reply, int64_t rejected, const std::string& message) {
          reply.mutable_partial_success()->set_rejected_spans(rejected);
          reply.mutable_partial_success()->set_error_message(message);
        });
  });

  // The last cumulative point of each histogram stream, shared by every /v1/metrics request.
  auto streams = std::make_shared<otlp::HistogramStreams>();
  router.PostAsync("/v1/metrics", [ingest, streams](
                                      const Request& req,
                                      const std::shared_ptr<http::Responder>& responder) {
    using collector_metrics::ExportMetricsServiceRequest;
    using collector_metrics::ExportMetricsServiceResponse;
    HandleExport<ExportMetricsServiceRequest, ExportMetricsServiceResponse>(
        ingest, "metrics", "data points", req, responder,
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

// The OTLP/HTTP receivers (docs/design.md "OpenTelemetry ingest"; src/otlp does the
// translation):
//
//   POST /v1/traces   an ExportTraceServiceRequest: spans with GenAI attributes become samples
//                     (otlp/span_samples.h)
//   POST /v1/metrics  an ExportMetricsServiceRequest: the GenAI histograms become samples
//                     (otlp/metric_samples.h)
//
// The body is application/x-protobuf or application/json (else 415), plain or with
// Content-Encoding gzip or deflate (any other: 415), at most `body_limit` bytes once inflated
// (else 413: inflating stops there, so a "zip bomb" never fills memory; http/request_decoding.h). Each sample gets the checks
// and bounds of POST /api/stats (ValidateSample) and takes the same ingest path
// (SeriesMonitor::IngestAsync: the reply is sent after the group commit, no thread waiting for
// it). Replies are in the request's encoding (415: JSON):
//   200 the Export*ServiceResponse; its partial_success counts the refused items with the first
//       one's reason, or, with nothing refused, says how many items were accepted and ignored
//   400 a google.rpc.Status (code 3, INVALID_ARGUMENT) when the body does not decode
//   413/415 a google.rpc.Status (code 3)
//   503 a google.rpc.Status (code 14, UNAVAILABLE) when the samples were not stored: the
//       exporter retries
// Each request's items are counted in /metrics (PrometheusMetrics::CountOtlpItems). The key is
// checked before routing, as for /api (HttpApi).
#pragma once

#include <cstddef>

#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "server/ingest_payload.h"
#include "server/prometheus_metrics.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `monitor` and `metrics` must outlive `router`.
void RegisterOtlpRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                        PrometheusMetrics& metrics, const IngestLimits& limits, size_t body_limit,
                        const Clock& clock);

}  // namespace llmscope::server

// OTLP GenAI metrics → samples (docs/design.md "OpenTelemetry ingest", the histogram rule).
// Pure apart from the cumulative state it is handed; no I/O, no clock.
//
// The conventions' histograms, in seconds (or "ms" when the metric's unit says so), feed:
//   gen_ai.client.operation.duration            → e2e_ms
//   gen_ai.client.operation.time_to_first_chunk → ttft_ms
//   gen_ai.server.time_to_first_token           → ttft_ms
//   gen_ai.server.time_per_output_token         → tpot_ms
// Each data point (explicit or exponential histogram) is one interval of one stream; the
// interval becomes ONE sample, at the data point's time, whose value is the interval's mean
// (sum / count): an individuals chart of interval means, never count copies of the mean (that
// would invent observations and shrink the moving ranges to zero). Delta points are their own
// interval; cumulative points are differenced against the stream's previous point
// (HistogramStreams; a stream's first point only sets its baseline). An interval with no
// observation gives no sample. The source is the data point's attributes' (GenAiSource).
//
// Ignored (counted): gen_ai.client.token.usage (no series charts token counts), data points
// with error.type (a failed call's duration feeds no series: docs/spc.md §1), empty intervals
// and first cumulative points, and every other metric. Rejected (counted): a GenAI data point
// with no provider, no model or no sum.
#pragma once

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "otlp/export_outcome.h"
#include "otlp/histogram_streams.h"

namespace llmscope::otlp {

ExportOutcome SamplesFromMetrics(
    const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& request,
    HistogramStreams& streams);

}  // namespace llmscope::otlp

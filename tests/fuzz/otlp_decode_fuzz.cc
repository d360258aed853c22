// Fuzzes OTLP ingest's decoding and translation (src/otlp) with arbitrary bytes: the first byte
// picks the message (traces or metrics) and the encoding (protobuf or OTLP/JSON), the rest is the
// body. It must never crash; a refusal is "invalid_payload" with a message; a decoded trace
// request's spans are each a sample, ignored or refused (none lost, none counted twice), and
// every sample names a provider and a model.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/metric_samples.h"
#include "otlp/otlp_codec.h"
#include "otlp/span_samples.h"

namespace {

using llmscope::otlp::ExportOutcome;
using llmscope::otlp::OtlpEncoding;

void CheckSamples(const ExportOutcome& out) {
  for (const llmscope::Sample& s : out.samples) {
    FUZZ_CHECK(!s.source.provider.empty() && !s.source.model.empty());
  }
  FUZZ_CHECK(out.rejected == 0 || !out.first_rejection.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool metrics = (data[0] & 1) != 0;
  const OtlpEncoding encoding = (data[0] & 2) != 0 ? OtlpEncoding::kJson : OtlpEncoding::kProtobuf;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (metrics) {
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest request;
    const llmscope::Status decoded = llmscope::otlp::DecodeMessage(body, encoding, request);
    if (!decoded) {
      FUZZ_CHECK(decoded.error().code == "invalid_payload" && !decoded.error().message.empty());
      return 0;
    }
    static llmscope::otlp::HistogramStreams streams(64);  // kept across inputs, as the server does
    CheckSamples(llmscope::otlp::SamplesFromMetrics(request, streams));
    FUZZ_CHECK(streams.size() <= 64);
    return 0;
  }
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  const llmscope::Status decoded = llmscope::otlp::DecodeMessage(body, encoding, request);
  if (!decoded) {
    FUZZ_CHECK(decoded.error().code == "invalid_payload" && !decoded.error().message.empty());
    return 0;
  }
  const ExportOutcome out = llmscope::otlp::SamplesFromTraces(request);
  CheckSamples(out);
  int64_t spans = 0;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) spans += ss.spans_size();
  }
  FUZZ_CHECK(static_cast<int64_t>(out.samples.size()) + out.ignored + out.rejected == spans);
  for (const llmscope::Sample& s : out.samples) FUZZ_CHECK(s.e2e_ms && *s.e2e_ms >= 0);
  return 0;
}

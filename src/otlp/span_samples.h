// OTLP spans → samples (docs/design.md "OpenTelemetry ingest"). Pure: no I/O, no clock.
//
// A span with GenAI attributes (genai_attributes.h HasGenAiAttributes) is one LLM call and
// becomes one sample of the source GenAiSource names:
//   time        the span's end
//   e2e_ms      end − start
//   ttft_ms     gen_ai.server.time_to_first_token, else OpenLIT's older gen_ai.server.ttft
//               (seconds, span attributes)
//   tpot_ms     gen_ai.server.time_per_output_token, else OpenLIT's older gen_ai.server.tbt
//               (seconds)
//   tokens_in   gen_ai.usage.input_tokens, else the older gen_ai.usage.prompt_tokens
//   tokens_out  gen_ai.usage.output_tokens, else the older gen_ai.usage.completion_tokens
//   cost_usd    gen_ai.usage.cost (OpenLIT's, in USD)
//   error       the span's status is ERROR, or it carries error.type; error_kind is error.type
//               (else "error"), error_message the status message
//   ingest_key  "otlp/<trace id>/<span id>" in hex, so a batch an exporter resends after a lost
//               reply is stored once
// A GenAI span that names no provider or no model, or ends before it starts, is rejected
// (counted, with the reason of the first). A span without GenAI attributes is ignored (counted).
// The samples are not checked against the ingest bounds here: the caller does that, as for
// every other sample.
#pragma once

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/export_outcome.h"

namespace llmscope::otlp {

ExportOutcome SamplesFromTraces(
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request);

}  // namespace llmscope::otlp

// The routes that read stored samples:
//
//   GET /api/samples/{id}
//     One stored sample as JSON: the fields of the SSE stream's samples (SampleJson: id,
//     timestamp, time_ms, source, metrics, error, error_kind, error_message, Ollama durations
//     and counts, token counts, host telemetry, prompt_hash), and prompt_text when it was stored
//     ([server] store_prompt_text). 404 "not_found" when no sample has that id; 400
//     "invalid_parameter" when the id is not a positive integer.
//
//   GET /api/export/samples?provider=&model=[&site=&profile=][&hours=24 | &since=&until=]
//       [&limit=100000]
//     The samples of the window (sample_window.h) as CSV, oldest first (store/record_csv.h):
//     id, time, source, the metrics, error, Ollama durations, token counts, host telemetry.
//
// Storage failures get 503 "storage_error".
#pragma once

#include "core/clock.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `store` must outlive `server`.
void RegisterSampleRoutes(http::Router& router, store::Store& store, const Clock& clock);

}  // namespace llmscope::server

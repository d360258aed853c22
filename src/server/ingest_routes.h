// Ingest and the store's summary:
//
//   POST /api/stats  one sample or {"samples": [...]} (ingest_payload.h; a timestamp more than
//        IngestLimits::max_future_ms after the clock's now is refused)
//     → 200 {status: "ok", logged: true, count, ids, duplicates, violations_detected,
//     ignored_fields} once the samples are stored and judged. 415 unless the body is JSON; 400
//     with the payload's error code; 503 "storage_error" when they were not stored. An
//     asynchronous route (http::Router::PostAsync): no thread waits for the commit; the
//     monitor's writer answers (SeriesMonitor::IngestAsync).
//   GET  /api/stats
//     → {count, records (the original's name for count), first_time, last_time, violations,
//     open_violations, series}.
#pragma once

#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "server/ingest_payload.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `monitor` and `store` must outlive `server`.
void RegisterIngestRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                          store::Store& store, const IngestLimits& limits, const Clock& clock);

}  // namespace llmscope::server

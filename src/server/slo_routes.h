// A series' SLO (settings/series_slo.h), set from the browser or the API:
//
//   GET    /api/series/{provider}/{model}/{metric}/slo[?site=&profile=]
//     → {"series", "usl", "lsl", "version", "updated_ms", "updated_by", "source": "store"};
//     404 "not_found" when none is set.
//   PUT    …/slo  {"usl": number|null, "lsl": number|null}  (either may be absent, not both)
//     Sets it → 200 as GET gives it. 400 naming the field for a bad body (a limit the series'
//     log scale cannot take: 0 or less), nothing stored.
//   DELETE …/slo → 204; 404 "not_found" when none is set.
//
// The series need not exist yet (an SLO may be set before its first sample). GET /api/stats/spc
// and /metrics read the stored SLO on each request, so a change is seen at once by every server
// on the database. Every route needs the API key (GET too unless public_reads).
#pragma once

#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `monitor` and `store` must outlive `router`.
void RegisterSloRoutes(http::Router& router, const monitor::SeriesMonitor& monitor,
                       store::Store& store, const Clock& clock);

}  // namespace llmscope::server

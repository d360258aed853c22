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
// and /metrics read the SLOs from memory (settings/slo_table.h): a change through this server is
// seen at once, one through another server on the database within the settings watcher's poll.
// Every route needs the API key (GET too unless public_reads).
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "settings/slo_table.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// Makes `live` hold the SLOs stored. Called after each change through these routes and by the
// settings watcher for changes made by other servers on the database.
Status ReloadSlos(store::Store& store, settings::SloTable& live);

// `monitor` and `store` must outlive `router`; `live` is a handle shared with the SPC view and
// /metrics, reloaded after each change.
void RegisterSloRoutes(http::Router& router, const monitor::SeriesMonitor& monitor,
                       store::Store& store, settings::SloTable live, const Clock& clock);

}  // namespace llmscope::server

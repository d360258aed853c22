// A series' overrides (settings/series_overrides.h; docs/design.md "Per-series overrides"), set
// from the browser or the API:
//
//   GET    /api/series/{provider}/{model}/{metric}/settings[?site=&profile=]
//     → {"series", "effective": {"baseline", "transform", "rules", "false_alerts_per_30d"},
//        "source": {each field: "override" | "config"}, "config": the file's values,
//        "override": the stored body or null, "stage": the current stage's {"number",
//        "baseline", "transform", "learning"} or null, "version", "updated_ms", "updated_by"
//        (null without an override)}.
//   PUT    …/settings[?new_stage=true]  {"baseline"?, "transform"?, "rules"?,
//          "false_alerts_per_30d"?, "version"?}  (or If-Match: <version>)
//     Sets the override (the fields given; null or absent: the file's) → 200 as GET gives it.
//     Rules and the alert budget judge the series' next point. A baseline size or transform
//     other than the current stage's alters the limits: without new_stage=true → 409
//     {"error": {"code": "confirm_new_stage", "message"}, "changes": {field: {"from", "to"}}},
//     nothing saved; with it, saved and a new stage started (StartNewStage: the next B points
//     learn), the reply's "new_stage" holding it. 400 naming the field for a bad body; 409
//     "conflict" when `version` is not the stored one.
//   DELETE …/settings[?new_stage=true] → 204: back to the file's values, asking as PUT does
//     when that alters the limits; 404 "not_found" when none is set.
//
// The error series takes no overrides (400). The series need not exist yet: its first stage
// then takes the override. Every route needs the API key, even with public_reads; each change
// is in the settings audit (kind "series_override"). Other servers on the database apply a
// change within a settings poll (ReloadSeriesOverrides on the settings watcher).
#pragma once

#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// Gives the monitor every stored override (SeriesMonitor::Configure). Errors: storage errors.
Status ReloadSeriesOverrides(store::Store& store, monitor::SeriesMonitor& monitor);

// `monitor` and `store` must outlive `router`.
void RegisterSeriesSettingsRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                                  store::Store& store, const Clock& clock);

}  // namespace llmscope::server

// The series and their SPC charts:
//
//   GET  /api/stats/spc?provider=&model=[&site=&profile=][&metric=e2e_ms][&hours=24][&limit=]
//        [&since=&until=][&max_points=][&usl=&lsl=][&columns=chart]
//     A series' points over the window and its chart (spc_view.h). Provider and model with a
//     site or a profile name one series; otherwise the series matching the filters given: one
//     is its chart, several give their points in time order and their list. hours: more than 0,
//     at most 8784; since/until (ISO 8601) the window's ends (since overrides hours; until
//     defaults to now); limit: 1..500000 (default one point per 2 s of the window);
//     max_points: 4..20000 display points for the whole window (M4, spc_view.h). Without
//     usl/lsl, a series' capability is judged against its stored SLO (slo_routes.h), read from
//     `slos` (in memory).
//   GET  /api/series
//     → {"series": [...]}: every series with its state, stage, limits and alarm detector.
//   POST /api/series/{provider}/{model}/{metric}/stages[?site=&profile=]  [{"since", "until"}]
//     Starts a new stage (re-baseline), learning from the next points, or with the limits of
//     the window [since, until) (until defaults to now) → 201 the stage with its series. 404
//     "not_found" for an unknown series or a path that names none (the model may hold '/').
//
// Bad parameters and bodies get 400; storage failures 503.
#pragma once

#include "alert/severity.h"
#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "server/recent_samples.h"
#include "settings/slo_table.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `monitor`, `store` and `recent` must outlive `server`; `slos` is a handle the SLO routes and
// the settings watcher reload.
void RegisterSeriesRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                          store::Store& store, const RecentSamples& recent,
                          const settings::SloTable& slos,
                          const alert::SeverityOverrides& severities, const Clock& clock);

}  // namespace llmscope::server

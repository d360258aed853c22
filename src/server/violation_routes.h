// The violation log and its workflow:
//
//   GET  /api/violations?[provider=&model=&metric=&rule=&severity=a,b&status=&phase=]
//        [&since=&until= | &hours=][&limit=1000]
//     → {"violations": [...], "count"}: newest first, without context. `severity` (a comma list
//     of critical, warning, info) selects the rules of those severities, with the config's
//     overrides; `hours` sets the start that many hours before now (it wins over `since`);
//     limit is 1..100000.
//   GET  /api/violations/{id}
//     → one violation with its context and the alert `deliveries` (alert_routes.h); 404.
//   POST /api/violations/{id}/acknowledge, …/resolve  [{"by" | "acknowledged_by" |
//        "resolved_by": name}]
//     → the violation with its new status (by "api" unless named); 404 for an unknown id.
//   GET  /api/export/violations?… (the list's filters; limit 100000 unless given)
//     → CSV (store/record_csv.h), with the host telemetry at each violation's first point.
//
// Bad parameters and bodies get 400; storage failures 503.
#pragma once

#include "alert/severity.h"
#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `monitor` and `store` must outlive `server`.
void RegisterViolationRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                             store::Store& store, const alert::SeverityOverrides& severities,
                             const Clock& clock);

}  // namespace llmscope::server

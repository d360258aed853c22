// The route the dashboard needs beyond the core API. Registered by HttpApi, behind the
// same auth (everything under /api needs the key unless reads are public).
//
//   GET /api/stats/pchart?provider=&model=[&site=&profile=][&hours=24][&subgroup=20]
//       [&baseline_subgroups=5]
//     The error-rate p-chart of one source (docs/spc.md §6) over the window: the window's calls,
//     oldest first, are cut into consecutive subgroups of `subgroup` calls counted from the
//     window's first call (a trailing incomplete subgroup is left out and counted in
//     `pending_calls`); p̄ and the limits come from the first `baseline_subgroups` subgroups
//     (spc::PChart), and every subgroup is judged by R1 against them. Body: {series, subgroup_size,
//     baseline_subgroups, calls, failed, pending_calls, subgroups: {time_ms, p, failed} (column
//     arrays; time_ms is the subgroup's last call), limits: {p_bar, ucl, lcl, estimable} or null
//     while fewer than baseline_subgroups subgroups exist, firings: [{subgroup, time_ms, p,
//     phase}], live}. This is a view of the window for display; the errors are judged by the
//     live p-chart of SeriesMonitor (its subgroups count from its stage's first call, not from the
//     window's), whose violations are in /api/violations (metric error). `live` is that chart's
//     state: {state: "learning" | "monitoring", stage, calls, learning_calls, baseline_calls,
//     limits: {p_bar, ucl, lcl, estimable} or null while learning}, or null when the server has
//     not seen the source.
//
// The window's parameters are those of sample_window.h. Bad parameters get 400 {"error": …};
// storage failures 503.
#pragma once

#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `store` and `monitor` must outlive `server`.
void RegisterDashboardRoutes(http::Router& router, store::Store& store,
                             const monitor::SeriesMonitor& monitor, const Clock& clock);

}  // namespace llmscope::server

// The demo day's data (docs/design.md "Demo day"):
//
//   GET /api/demo
//     → {"demo": true|false, "sources": [{provider, model, site, profile}, ...]}: whether the
//     store holds demo data, and of which sources (the dashboard shows its delete button on
//     true).
//   DELETE /api/demo
//     → 200 {"deleted": true|false, "rows": n, "sources": [...]}: every row of the demo sources
//     (samples, rollups, stages, violations and their deliveries) deleted in one transaction
//     per store (Store::DeleteDemoData), while no ingest commits; their series then learn anew
//     from the next live sample (SeriesMonitor::EraseSources) and `forget` drops what the
//     server held of them in memory. "deleted": false when there was no demo data.
//
// Auth (HttpApi's pre-routing handler): DELETE always needs the API key, GET unless
// public_reads. Storage failures get 503 ({"error"} JSON).
#pragma once

#include <functional>
#include <vector>

#include "core/sample.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `monitor` and `store` must outlive `router`. `forget` is called, while no ingest commits,
// after the rows were deleted.
void RegisterDemoRoutes(http::Router& router, monitor::SeriesMonitor& monitor, store::Store& store,
                        std::function<void(const std::vector<SourceKey>&)> forget);

}  // namespace llmscope::server

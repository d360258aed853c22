// The alerting routes of the HTTP API:
//   POST   /api/silences       {provider?, model?, metric?, rule?, starts_at?, ends_at | duration,
//                               created_by?, comment?} → 201 the silence. duration: seconds (a
//                               number) or text "90s", "30m", "2h", "1d"; at most 366 days.
//   GET    /api/silences       → {"silences": [...]}: current and future ones.
//   DELETE /api/silences/{id}  → the silence ends now; 404 for an unknown id.
// and DeliveriesJson, the `deliveries` of GET /api/violations/{id}: one entry per outbox row
// (sink, kind, state, attempts, last_error, next_attempt, delivered). Bad input gets a 4xx with
// {"error": {"code", "message"}}.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/result.h"
#include "server/json_views.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `store` must outlive the server.
void RegisterAlertRoutes(http::Router& router, store::Store& store, const Clock& clock);

Json DeliveryJson(const store::DeliveryRecord& d);
Result<Json> DeliveriesJson(store::Store& store, int64_t violation_id);
Json SilenceJson(const store::SilenceRecord& s, int64_t now_ms);

}  // namespace llmscope::server

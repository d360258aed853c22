// The alerting settings routes of the HTTP API (docs/design.md "Settings"): sinks, routes and
// mute windows kept in the store beside the config file's, applied live by alert::AlertSettings.
//   GET    /api/alerts/sinks            → {"sinks": [view...]}: the file's ("source": "file",
//                                          read-only) and the stored ones ("source": "store",
//                                          "version"). A view holds no secret: "<secret>_set".
//   POST   /api/alerts/sinks            → 201 the new sink; 409 when the name is taken.
//   GET    /api/alerts/sinks/{name}     → the sink; 404 for an unknown one.
//   PUT    /api/alerts/sinks/{name}     → creates or replaces it (a secret left out is kept, null
//                                          clears it); "version": n replaces only version n (409).
//   DELETE /api/alerts/sinks/{name}     → 409 while a route sends to it, or for a file item.
//   POST   /api/alerts/sinks/{name}/test → 202 {"key"}: a test alert, due now.
//   GET    /api/alerts/test?key=…       → the test's outbox row (state pending / delivered /
//                                          failed, attempts, last_error); 404 while unknown.
// and the same list/POST/GET/PUT/DELETE under /api/alerts/routes and /api/alerts/mutes. Bodies
// are alert_settings_json.h's; an invalid field gets a 400 naming it and nothing is written.
// Every route needs the API key, even with public_reads.
#pragma once

#include "alert/alert_settings.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `settings` must outlive the server.
void RegisterAlertSettingsRoutes(http::Router& router, alert::AlertSettings& settings);

}  // namespace llmscope::server

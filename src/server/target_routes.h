// The targets routes of the HTTP API (docs/design.md "Settings"), every one behind the API key:
//   GET    /api/targets              → {"targets": [...], "demo_probing": bool}
//   POST   /api/targets              {[[targets]] fields, key?} → 201 the target
//   GET    /api/targets/{id}         → the target
//   PUT    /api/targets/{id}         {fields, key?, version} (or If-Match: <version>) → the target;
//                                      409 when another change came first
//   DELETE /api/targets/{id}         → 204
//   POST   /api/targets/{id}/test    → {"ok", "sample"} or {"ok": false, "error", "sample"}
//   POST   /api/targets/test         {fields, key?} → the same for a target not saved
//   GET    /api/providers/models?provider=&base_url=&key_env= → {"models": [...]}; 502 with the
//                                      reason in words when the provider cannot say
// A target shows its [[targets]] fields, id, source ("file" or "store"), version, key_set (never
// the key) and state {probing, calls, errors, in_flight}. A file target is read-only (409 naming
// the file). Bad input: 400 naming the field, and nothing saved.
#pragma once

#include "core/clock.h"
#include "targets/target_service.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `targets` must outlive the server.
void RegisterTargetRoutes(http::Router& router, targets::TargetService& targets,
                          const Clock& clock);

}  // namespace llmscope::server

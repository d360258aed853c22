// The settings audit list (docs/design.md "Settings"), behind the API key:
//   GET /api/settings/audit?kind=&before=&limit=
//     → {"changes": [{id, time, time_ms, actor, kind, item_id, action, version, body}],
//        "next_before": id | null}
//   newest first; `before` pages back (the id of the oldest change seen); limit 1..500
//   (default 100). Bodies are the audit bodies the features wrote: never a secret.
#pragma once

#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `store` must outlive the server.
void RegisterSettingsAuditRoutes(http::Router& router, store::Store& store);

}  // namespace llmscope::server

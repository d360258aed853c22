// Serves the embedded dashboard (web_assets.h) without an API key: "/" is index.html,
// "/assets/…" the hashed bundles (cached for a year: their names change with their content),
// other files of web/dist by their path, and any other GET path outside /api, /metrics and
// /health is index.html too (the single-page app routes in the browser). index.html is sent
// with "Cache-Control: no-cache" so that a new build is picked up at once. A binary built
// without web/dist answers "/" with a small page that says how to build the dashboard.
//
// Register after every other route: the fallback matches any path that is not under /api.
#pragma once

#include <span>

#include "server/web_assets.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

void AddStaticAssetRoutes(http::Router& router,
                          std::span<const WebAsset> assets = EmbeddedWebAssets());

}  // namespace llmscope::server

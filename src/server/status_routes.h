// The status page and badges (docs/design.md "Status page"), served by StatusService:
//
//   GET /api/status
//     → the status report as JSON (status/status_json.h).
//   GET /status
//     → the status report as one HTML page (status/status_html.h), reloading itself every 60 s.
//   GET /badge/{provider}/{model}/{metric}.svg[?site=&profile=]
//     → the series' badge (status/badge_svg.h), Cache-Control: max-age=60. The model may hold
//     '/'; a provider holding '/' is sent with it as %2F; metric is a metric's name (e2e_ms,
//     ttft_ms, tpot_ms, tokens_per_s, cost_usd, error). An unknown series gets a 404 whose body is
//     a grey "unknown series" badge (an <img> shows it; a JSON error would show as a broken image),
//     one that several sources match a 400 "add site or profile" badge.
//
// Auth (HttpApi's pre-routing handler): these routes need the API key unless [server]
// public_status (or public_reads) is set; IsStatusRoute tells which paths they are. Storage
// failures get 503 ({"error"} JSON; for a badge, a badge saying so).
#pragma once

#include <string_view>

#include "server/status_service.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// `service` must outlive `router`.
void RegisterStatusRoutes(http::Router& router, StatusService& service);

// True for /status, /api/status and /badge/...: the paths that public_status opens.
bool IsStatusRoute(std::string_view path);

}  // namespace llmscope::server

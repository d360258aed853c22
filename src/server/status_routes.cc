#include "server/status_routes.h"

#include "http/router.h"
#include "server/http_reply.h"
#include "server/query_params.h"
#include "server/series_path.h"
#include "status/badge_svg.h"
#include "status/status_html.h"
#include "status/status_json.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

constexpr int kPageRefreshS = 60;

constexpr std::string_view kBadgePrefix = "/badge/", kBadgeSuffix = ".svg";

// /badge/PROVIDER/MODEL/METRIC.svg, read from the path as sent (series_path.h), so that a
// provider holding '/' is addressed as %2F.
std::optional<BadgeRequest> ParseBadgePath(std::string_view raw_path, const QueryParams& p) {
  if (!raw_path.starts_with(kBadgePrefix) || !raw_path.ends_with(kBadgeSuffix)) {
    return std::nullopt;  // ".svg" itself sent encoded
  }
  raw_path.remove_prefix(kBadgePrefix.size());
  raw_path.remove_suffix(kBadgeSuffix.size());
  std::optional<SeriesPathParts> parts = SplitEncodedSeriesPath(raw_path);
  if (!parts) return std::nullopt;
  return BadgeRequest{std::move(parts->provider), std::move(parts->model), parts->metric,
                      p.Text("site"), p.Text("profile")};
}

void SendBadge(Response& res, int status, const status::Badge& badge) {
  res.status = status;
  res.set_header("Cache-Control", "max-age=60");
  res.set_content(status::RenderBadgeSvg(badge), "image/svg+xml; charset=utf-8");
}

}  // namespace

bool IsStatusRoute(std::string_view path) {
  return path == "/status" || path == "/api/status" || path.starts_with("/badge/");
}

void RegisterStatusRoutes(http::Router& router, StatusService& service) {
  router.Get("/api/status", [&service](const Request&, Response& res) {
    Result<status::StatusReport> report = service.Report();
    if (!report) return SendError(res, report.error());
    SendJson(res, 200, status::StatusReportJson(*report));
  });

  router.Get("/status", [&service](const Request&, Response& res) {
    Result<status::StatusReport> report = service.Report();
    if (!report) return SendError(res, report.error());
    res.set_header("Cache-Control", "no-cache");
    res.set_content(status::RenderStatusHtml(*report, kPageRefreshS), "text/html; charset=utf-8");
  });

  router.Get(R"(/badge/(.+)\.svg)", [&service](const Request& req, Response& res) {
    std::optional<BadgeRequest> request = ParseBadgePath(req.raw_path, QueryParams(req.params));
    if (!request) return SendBadge(res, 404, status::PlainBadge("unknown series"));
    Result<status::Badge> badge = service.Badge(*request);
    if (badge) return SendBadge(res, 200, *badge);
    const int code = HttpStatusOf(badge.error().code);
    SendBadge(res, code,
              status::PlainBadge(code == 404   ? "unknown series"
                                 : code == 400 ? "add site or profile"
                                               : "unavailable"));
  });
}

}  // namespace llmscope::server

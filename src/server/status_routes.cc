#include "server/status_routes.h"

#include "http/router.h"

#include "server/http_reply.h"
#include "server/query_params.h"
#include "status/badge_svg.h"
#include "status/status_html.h"
#include "status/status_json.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

constexpr int kPageRefreshS = 60;

// /badge/PROVIDER/MODEL/METRIC.svg: `path` is PROVIDER/MODEL/METRIC, the model may itself hold '/'.
std::optional<BadgeRequest> ParseBadgePath(const std::string& path, const QueryParams& p) {
  const size_t first = path.find('/'), last = path.rfind('/');
  if (first == std::string::npos || first == last) return std::nullopt;
  std::optional<Metric> metric = ParseMetric(path.substr(last + 1));
  if (!metric) return std::nullopt;
  return BadgeRequest{path.substr(0, first), path.substr(first + 1, last - first - 1), *metric,
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
    std::optional<BadgeRequest> request = ParseBadgePath(req.matches[1], QueryParams(req.params));
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

#include "server/ingest_routes.h"

#include "http/router.h"

#include "core/time_format.h"
#include "server/http_reply.h"
#include "server/json_views.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

Json TimeOrNull(const std::optional<int64_t>& ms) {
  return ms ? Json(FormatIsoUtc(*ms)) : Json(nullptr);
}

}  // namespace

void RegisterIngestRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                          store::Store& store, const IngestLimits& limits, const Clock& clock) {
  router.Post("/api/stats", [&monitor, limits, clock](const Request& req, Response& res) {
    const std::string type = req.get_header_value("Content-Type");
    if (!type.empty() && type.find("json") == std::string::npos) {
      return SendError(res, Error{"unsupported_media_type", "send application/json"});
    }
    Result<IngestBody> body = ParseIngestBody(req.body, clock(), limits);
    if (!body) return SendError(res, body.error());
    Result<monitor::IngestReceipt> receipt = monitor.Ingest(std::move(body->samples));
    if (!receipt) {
      return SendError(
          res, Error{"storage_error", "the samples were not stored: " + receipt.error().message});
    }
    SendJson(res, 200,
             Json{{"status", "ok"},
                  {"logged", true},
                  {"count", receipt->ids.size()},
                  {"ids", receipt->ids},
                  {"duplicates", receipt->duplicates},
                  {"violations_detected", receipt->violations_opened},
                  {"ignored_fields", body->ignored_fields}});
  });

  router.Get("/api/stats", [&monitor, &store](const Request&, Response& res) {
    Result<store::StoreStats> stats = store.Stats();
    if (!stats) return SendError(res, stats.error());
    SendJson(res, 200,
             Json{{"count", stats->samples},
                  {"records", stats->samples},  // the original LLMscope's name
                  {"first_time", TimeOrNull(stats->first_time_ms)},
                  {"last_time", TimeOrNull(stats->last_time_ms)},
                  {"violations", stats->violations},
                  {"open_violations", stats->open_violations},
                  {"series", SeriesListJson(monitor.ListSeries())}});
  });
}

}  // namespace llmscope::server

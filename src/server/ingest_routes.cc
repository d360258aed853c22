#include "server/ingest_routes.h"

#include "http/router.h"

#include <memory>

#include "core/time_format.h"
#include "server/http_reply.h"
#include "server/ingest_reply.h"
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
  // Asynchronous (docs/design.md "HTTP engine"): parsed where the engine dispatches it, the
  // samples handed to the monitor's group commit, answered from its writer after the commit.
  router.PostAsync("/api/stats", [&monitor, limits, clock](
                                     const Request& req,
                                     std::shared_ptr<http::Responder> responder) {
    Response res;
    const std::string type = req.get_header_value("Content-Type");
    if (!type.empty() && type.find("json") == std::string::npos) {
      SendError(res, Error{"unsupported_media_type", "send application/json"});
      return responder->Send(std::move(res));
    }
    Result<IngestBody> body = ParseIngestBody(req.body, clock(), limits);
    if (!body) {
      SendError(res, body.error());
      return responder->Send(std::move(res));
    }
    // The reply's only text beside integers, escaped here rather than on the writer thread.
    monitor.IngestAsync(
        std::move(body->samples),
        [responder = std::move(responder), ignored = IgnoredFieldsJson(body->ignored_fields)](
            Result<monitor::IngestReceipt> receipt) {
          Response res;
          if (!receipt) {
            SendError(res, Error{"storage_error",
                                 "the samples were not stored: " + receipt.error().message});
          } else {
            res.status = 200;
            res.set_content(IngestReceiptJson(*receipt, ignored), "application/json");
          }
          responder->Send(std::move(res));
        });
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

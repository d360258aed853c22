#include "server/demo_routes.h"

#include "http/router.h"
#include "server/http_reply.h"
#include "server/json_views.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

Json SourcesJson(const std::vector<SourceKey>& sources) {
  Json list = Json::array();
  for (const SourceKey& k : sources) list.push_back(SourceJson(k));
  return list;
}

}  // namespace

void RegisterDemoRoutes(http::Router& router, monitor::SeriesMonitor& monitor, store::Store& store,
                        std::function<void(const std::vector<SourceKey>&)> forget) {
  router.Get("/api/demo", [&store](const Request&, Response& res) {
    Result<std::vector<SourceKey>> sources = store.DemoSources();
    if (!sources) return SendError(res, sources.error());
    SendJson(res, 200, Json{{"demo", !sources->empty()}, {"sources", SourcesJson(*sources)}});
  });

  router.Delete("/api/demo", [&monitor, &store, forget = std::move(forget)](const Request&,
                                                                            Response& res) {
    Result<std::vector<SourceKey>> sources = store.DemoSources();
    if (!sources) return SendError(res, sources.error());
    if (sources->empty()) {
      return SendJson(res, 200, Json{{"deleted", false}, {"rows", 0}, {"sources", Json::array()}});
    }
    int64_t rows = 0;
    Status erased = monitor.EraseSources(*sources, [&]() -> Status {
      Result<int64_t> deleted = store.DeleteDemoData();
      if (!deleted) return deleted.error();
      rows = *deleted;
      forget(*sources);
      return {};
    });
    if (!erased) return SendError(res, erased.error());
    SendJson(res, 200, Json{{"deleted", true}, {"rows", rows}, {"sources", SourcesJson(*sources)}});
  });
}

}  // namespace llmscope::server

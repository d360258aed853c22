#include "server/system_routes.h"

#include "http/router.h"

#include <memory>
#include <optional>

#include "core/time_format.h"
#include "server/http_reply.h"
#include "server/json_views.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

Json TelemetryJson(const Telemetry& t, int64_t now_ms) {
  auto opt = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
  return Json{{"cpu_percent", opt(t.cpu_percent)},
              {"memory_percent", opt(t.memory_percent)},
              {"gpu_percent", opt(t.gpu_percent)},
              {"gpu_memory_percent", opt(t.gpu_memory_percent)},
              {"gpu_temp_c", opt(t.gpu_temp_c)},
              // the original LLMscope's names
              {"cpu", opt(t.cpu_percent)},
              {"memory", opt(t.memory_percent)},
              {"gpuTemp", opt(t.gpu_temp_c)},
              {"time", FormatIsoUtc(now_ms)}};
}

}  // namespace

void RegisterSystemRoutes(http::Router& router, SystemSources sources) {
  // One copy for the three handlers; it lives as long as they do.
  auto src = std::make_shared<const SystemSources>(std::move(sources));

  router.Get("/health", [src](const Request&, Response& res) {
    Result<store::StoreStats> stats = src->store.Stats();
    if (!stats) {
      return SendJson(
          res, 503,
          Json{{"status", "degraded"}, {"store", "error"}, {"message", stats.error().message}});
    }
    SendJson(res, 200,
             Json{{"status", "ok"},
                  {"store", "ok"},
                  {"store_url", src->store_description},
                  {"samples", stats->samples},
                  {"time", FormatIsoUtc(src->clock())}});
  });

  router.Get("/api/system", [src](const Request&, Response& res) {
    SendJson(res, 200, TelemetryJson(src->telemetry.Read(), src->clock()));
  });

  router.Get("/metrics", [src](const Request&, Response& res) {
    Result<store::StoreStats> stats = src->store.Stats();
    const int64_t open = stats ? stats->open_violations : -1;
    std::string text =
        src->metrics.Render(src->monitor.ListSeries(), open, src->hub.clients(), *src->slos.All());
    if (src->extra_metrics) text += src->extra_metrics();
    res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace llmscope::server

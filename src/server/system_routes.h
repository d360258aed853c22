// The server's own state:
//
//   GET /health       open to all. 200 {status: "ok", store: "ok", store_url (without
//                     credentials), samples, time}; 503 {status: "degraded", store: "error",
//                     message} when the store cannot be read.
//   GET /api/system   the host telemetry now: {cpu_percent, memory_percent, gpu_percent,
//                     gpu_memory_percent, gpu_temp_c, cpu, memory, gpuTemp (the original's
//                     names), time}; null where unknown.
//   GET /metrics      the Prometheus exposition (prometheus_metrics.h), with the store's count of
//                     open violations (-1 when it cannot be read), the open streams and each
//                     series' SLO (from memory), then the text of extra_metrics (the proxy's
//                     counters) when set.
#pragma once

#include <functional>
#include <string>

#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "server/prometheus_metrics.h"
#include "server/sse_hub.h"
#include "settings/slo_table.h"
#include "store/store.h"
#include "telemetry/host_telemetry.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// What the system routes read; each must outlive the server.
struct SystemSources {
  store::Store& store;
  const monitor::SeriesMonitor& monitor;
  telemetry::HostTelemetry& telemetry;
  const PrometheusMetrics& metrics;
  const SseHub& hub;
  std::string store_description;  // shown by /health
  Clock clock;
  std::function<std::string()> extra_metrics;  // appended to /metrics when set
  settings::SloTable slos;                     // each series' SLO, for llmscope_capability
};

void RegisterSystemRoutes(http::Router& router, SystemSources sources);

}  // namespace llmscope::server

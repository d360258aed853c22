// HttpApi: LLMscope's HTTP API (docs/design.md "HTTP API") on the HTTP engine (http/server.h):
// the server around the routes, which each *_routes.h registers and documents: ingest (POST/GET
// /api/stats), series (SPC views, series, stages), violations (log, workflow, CSV export), samples
// (one sample, CSV export), the SSE stream, system (/health, /api/system, /metrics), alerting
// (silences; sinks, routes and mute windows: alert_settings_routes.h), the status page and badges,
// OTLP receivers (/v1/traces, /v1/metrics) and the dashboard (its p-chart route, then its embedded
// files).
//
// JSON in and out (OTLP: its own encodings and error replies, otlp_routes.h); every failure is
// {"error": {"code", "message"}} with a 4xx/5xx status. Auth: "Authorization: Bearer <key>" on
// /api/* (GET routes open when public_reads), on /metrics (open when public_metrics), on the
// status page and badges (open when public_status or public_reads; status_routes.h) and on /v1/*
// (OTLP ingest, never open); /health is open. Keys are compared in constant time and
// never logged. CORS headers only when cors_origin is set.
//
// Threads: io_threads run every connection's I/O and api_threads run the route handlers that may
// block (single-sample ingest runs on neither: ingest_routes.h); an open stream holds no thread, and at most max_stream_clients streams are served (503 beyond). Stop()
// refuses new connections, lets in-flight requests finish, ends each stream with a "shutdown"
// event, and returns Serve() (within shutdown_grace).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "alert/severity.h"
#include "core/clock.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "probe/price_table.h"
#include "server/ingest_payload.h"
#include "settings/slo_table.h"
#include "store/store.h"
#include "telemetry/host_telemetry.h"

namespace llmscope::alert {
class AlertSettings;
}

namespace llmscope::http {
class Router;
class Server;
struct Request;
}  // namespace llmscope::http

namespace llmscope::settings {
class SecretBox;
class SettingsWatcher;
}  // namespace llmscope::settings

namespace llmscope::targets {
class TargetService;
}

namespace llmscope::server {

class PrometheusMetrics;
class RecentSamples;
class SseHub;
class StatusService;

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (tests)
  bool public_reads = false;
  bool public_metrics = false;
  bool public_status = false;   // /status, /api/status and /badge/* without the key
  std::string cors_origin;      // empty: no CORS headers
  size_t body_limit = 1 << 20;  // 413 beyond, refused from the Content-Length
  int io_threads = 1;
  int api_threads = 16;
  // Open connections one client address may hold (429 beyond); the request deadline (408): the
  // headers within it, a body within it plus its size at 64 KB/s; how long Stop() waits.
  int max_connections_per_address = 512;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds shutdown_grace{10000};
  int max_stream_clients = 1000;
  // Frames a stream may fall behind before it is dropped: ~4 s of events at 4,000 samples/s,
  // so a viewer on a loaded 2-core host keeps up; ~6 MB for a viewer that stopped reading.
  size_t stream_queue_frames = 16384;
  std::chrono::milliseconds stream_heartbeat{15000};
  IngestLimits ingest;
  std::string store_description;  // shown by /health, without credentials
  // Kept in memory for GET /api/stats/spc: a day at one sample per 2 s of a source, and of all
  // sources together two such days (168 bytes a sample, ~17 MB; docs/design.md "Memory").
  size_t recent_samples_per_source = 50000;
  size_t recent_samples_total = 100000;
  alert::SeverityOverrides severities;  // [alerts] severity: each violation's severity
  Clock clock = SystemClock();  // "now" for every route: ingest's future bound, default windows
  // Alerting's settings (sinks, routes, mute windows; alert_settings_routes.h); null: no such
  // routes. Must outlive the server.
  alert::AlertSettings* alert_settings = nullptr;
  // The prices the probe and the proxy cost calls at: a handle shared with them, which the
  // price routes change (price_routes.h).
  probe::PriceTable prices = probe::PriceTable::Defaults();
  // Each series' stored SLO, for GET /api/stats/spc and /metrics: a handle the SLO routes
  // reload after their changes (slo_routes.h); `serve` loads it at start and on each change the
  // settings watcher sees.
  settings::SloTable slos;
  // Exposition text appended to /metrics (the proxy's sample counters); empty: nothing.
  std::function<std::string()> extra_metrics;
};

// The settings kept in the store (docs/design.md "Settings"), one of each per server; each must
// outlive the HttpApi. A null member leaves its routes out.
struct SettingsServices {
  const settings::SecretBox* secrets = nullptr;
  settings::SettingsWatcher* watcher = nullptr;
  targets::TargetService* targets = nullptr;  // /api/targets, /api/providers/models
};

class HttpApi {
 public:
  // `monitor`, `store` and `telemetry` must outlive this object. The settings routes
  // (/api/targets, /api/settings, /api/providers) need the key even with public_reads.
  HttpApi(const HttpOptions& options, monitor::SeriesMonitor& monitor, store::Store& store,
          std::string api_key, telemetry::HostTelemetry& telemetry, SettingsServices settings = {});
  ~HttpApi();

  // Loads the newest samples of each source into memory (call once, before Serve).
  Status LoadRecent();
  // Drops the samples in memory older than `cutoff_ms`: retention deleted them from the store.
  void ForgetSamplesOlderThan(int64_t cutoff_ms);
  // Binds the listening socket; returns the port (useful with port 0). "bind_failed" on error.
  Result<int> Bind();
  // Serves until Stop(). Call after Bind().
  void Serve();
  // Thread-safe; may be called from a signal-watching thread.
  void Stop();

 private:
  void InstallPreRouting();
  void RegisterRoutes();
  bool Authorized(const http::Request& req) const;

  HttpOptions options_;
  monitor::SeriesMonitor& monitor_;
  store::Store& store_;
  std::string api_key_;
  telemetry::HostTelemetry& telemetry_;
  SettingsServices settings_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> http_;
  std::unique_ptr<SseHub> hub_;
  std::unique_ptr<PrometheusMetrics> metrics_;
  std::unique_ptr<RecentSamples> recent_;
  std::unique_ptr<StatusService> status_;
};

}  // namespace llmscope::server

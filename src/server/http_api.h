// HttpApi: LLMscope's HTTP API (docs/design.md "HTTP API") on cpp-httplib: the server around the
// routes, which each *_routes.h registers and documents: ingest (POST/GET /api/stats), series
// (SPC views, series, stages), violations (log, workflow, CSV export), samples (one sample, CSV
// export), the SSE stream, system (/health, /api/system, /metrics), alerting (silences) and the
// dashboard (its p-chart route, then its embedded files).
//
// JSON in and out; every failure is {"error": {"code", "message"}} with a 4xx/5xx status.
// Auth: "Authorization: Bearer <key>" on /api/* (GET routes open when public_reads) and on
// /metrics (open when public_metrics); /health is open. Keys are compared in constant time and
// never logged. CORS headers only when cors_origin is set.
//
// Threads: a fixed pool of api_threads + max_stream_clients workers; an open stream holds one,
// and at most max_stream_clients streams are served (503 beyond), so streams cannot starve the
// API. Stop() ends the streams, lets in-flight requests finish, and returns Serve().
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
#include "server/ingest_payload.h"
#include "store/store.h"
#include "telemetry/host_telemetry.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace llmscope::server {

class PrometheusMetrics;
class RecentSamples;
class SseHub;

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (tests)
  bool public_reads = false;
  bool public_metrics = false;
  std::string cors_origin;  // empty: no CORS headers
  size_t body_limit = 1 << 20;
  int api_threads = 16;
  int max_stream_clients = 32;
  // Frames a stream may fall behind before it is dropped: ~4 s of events at 4,000 samples/s,
  // so a viewer on a loaded 2-core host keeps up; ~6 MB for a viewer that stopped reading.
  size_t stream_queue_frames = 16384;
  std::chrono::milliseconds stream_heartbeat{15000};
  IngestLimits ingest;
  std::string store_description;             // shown by /health, without credentials
  size_t recent_samples_per_source = 50000;  // kept in memory for GET /api/stats/spc
  size_t recent_samples_total = 150000;      // of all sources together (~25 MB)
  alert::SeverityOverrides severities;       // [alerts] severity: each violation's severity
  Clock clock = SystemClock();  // "now" for every route: ingest's future bound, default windows
  // Exposition text appended to /metrics (the proxy's sample counters); empty: nothing.
  std::function<std::string()> extra_metrics;
};

class HttpApi {
 public:
  // `monitor`, `store` and `telemetry` must outlive this object.
  HttpApi(const HttpOptions& options, monitor::SeriesMonitor& monitor, store::Store& store,
          std::string api_key, telemetry::HostTelemetry& telemetry);
  ~HttpApi();

  // Loads the newest samples of each source into memory (call once, before Serve).
  Status LoadRecent();
  // Binds the listening socket; returns the port (useful with port 0). "bind_failed" on error.
  Result<int> Bind();
  // Serves until Stop(). Call after Bind().
  void Serve();
  // Thread-safe; may be called from a signal-watching thread.
  void Stop();

 private:
  void InstallAuthAndErrorHandlers();
  void RegisterRoutes();
  bool Authorized(const httplib::Request& req) const;

  HttpOptions options_;
  monitor::SeriesMonitor& monitor_;
  store::Store& store_;
  std::string api_key_;
  telemetry::HostTelemetry& telemetry_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<SseHub> hub_;
  std::unique_ptr<PrometheusMetrics> metrics_;
  std::unique_ptr<RecentSamples> recent_;
};

}  // namespace llmscope::server

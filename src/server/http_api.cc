#include "server/http_api.h"

#include "http/router.h"
#include "http/server.h"
#include "server/alert_routes.h"
#include "server/alert_settings_routes.h"
#include "server/api_key.h"
#include "server/browser_headers.h"
#include "server/dashboard_routes.h"
#include "server/demo_routes.h"
#include "server/http_reply.h"
#include "server/ingest_routes.h"
#include "server/otlp_routes.h"
#include "server/price_routes.h"
#include "server/prometheus_metrics.h"
#include "server/recent_samples.h"
#include "server/sample_routes.h"
#include "server/series_routes.h"
#include "server/series_settings_routes.h"
#include "server/settings_audit_routes.h"
#include "server/slo_routes.h"
#include "server/sse_hub.h"
#include "server/static_assets.h"
#include "server/status_routes.h"
#include "server/status_service.h"
#include "server/stream_routes.h"
#include "server/system_routes.h"
#include "server/target_routes.h"
#include "server/violation_routes.h"

namespace llmscope::server {

using http::Request;
using http::Response;

namespace {

http::ServerOptions EngineOptions(const HttpOptions& o) {
  http::ServerOptions e;
  e.host = o.host;
  e.port = o.port;
  e.io_threads = o.io_threads;
  e.handler_threads = o.api_threads;
  e.max_body_bytes = o.body_limit;
  e.header_deadline = o.request_timeout;
  e.body_deadline = o.request_timeout;
  e.max_connections_per_address = o.max_connections_per_address;
  e.shutdown_grace = o.shutdown_grace;
  for (auto& [name, value] : BrowserHeaders()) e.default_headers.emplace(name, value);
  return e;
}

}  // namespace

HttpApi::HttpApi(const HttpOptions& options, monitor::SeriesMonitor& monitor, store::Store& store,
                 std::string api_key, telemetry::HostTelemetry& telemetry,
                 SettingsServices settings)
    : options_(options),
      monitor_(monitor),
      store_(store),
      api_key_(std::move(api_key)),
      telemetry_(telemetry),
      settings_(settings),
      router_(std::make_unique<http::Router>()),
      http_(std::make_unique<http::Server>(EngineOptions(options), *router_)),
      hub_(std::make_unique<SseHub>(options.max_stream_clients)),
      metrics_(std::make_unique<PrometheusMetrics>(PrometheusMetrics::kDefaultMaxSources,
                                                   options.severities)),
      recent_(std::make_unique<RecentSamples>(options.recent_samples_per_source,
                                              options.recent_samples_total)),
      status_(std::make_unique<StatusService>(monitor, *recent_, store, options.severities,
                                              options.clock)) {
  monitor_.AddListener([this](const monitor::MonitorBatch& batch) {
    metrics_->Observe(batch);
    std::vector<const Sample*> samples;
    samples.reserve(batch.samples.size());
    for (const Sample& s : batch.samples) samples.push_back(&s);
    recent_->Add(samples);
    BroadcastMonitorEvents(*hub_, batch, monitor_, options_.severities);
  });
  InstallPreRouting();
  RegisterRoutes();
}

HttpApi::~HttpApi() = default;

Status HttpApi::LoadRecent() {
  return recent_->Load(store_);
}

void HttpApi::ForgetSamplesOlderThan(int64_t cutoff_ms) {
  recent_->ForgetOlderThan(cutoff_ms);
}

Result<int> HttpApi::Bind() {
  return http_->Bind();
}

void HttpApi::Serve() {
  http_->Serve();
}

void HttpApi::Stop() {
  hub_->Close();
  http_->Stop();
}

bool HttpApi::Authorized(const Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  static constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return false;
  }
  return KeysEqual(std::string_view(header).substr(kBearer.size()), api_key_);
}

void HttpApi::InstallPreRouting() {
  // Auth and CORS before routing, so that every route is covered, including unknown ones.
  router_->SetPreRouting([this](const Request& req, Response& res) {
    if (!options_.cors_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", options_.cors_origin);
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
      res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
      if (req.method == "OPTIONS") {
        res.status = 204;
        return true;
      }
    }
    const bool api = req.path.starts_with("/api");
    const bool metrics = req.path == "/metrics";
    const bool status = IsStatusRoute(req.path);
    const bool otlp = req.path.rfind("/v1/", 0) == 0;  // OTLP ingest: never open
    if (!api && !metrics && !status && !otlp) return false;
    const bool read = req.method == "GET" || req.method == "HEAD";
    // Settings hold endpoints and their audit: never public (docs/design.md "Settings").
    const bool settings =
        req.path.starts_with("/api/targets") || req.path.starts_with("/api/settings") ||
        req.path.starts_with("/api/providers") || req.path.starts_with("/api/alerts/") ||
        (req.path.starts_with("/api/series/") && req.path.ends_with("/settings"));
    const bool open = (api && !settings && options_.public_reads && read) ||
                      (metrics && (options_.public_metrics || options_.public_reads)) ||
                      (status && (options_.public_status || options_.public_reads) && read);
    if (open || Authorized(req)) return false;
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res,
              Error{"unauthorized", req.has_header("Authorization")
                                        ? "the API key is not valid"
                                        : "send the API key as 'Authorization: Bearer <key>'"});
    return true;
  });
}

void HttpApi::RegisterRoutes() {
  http::Router& s = *router_;
  const Clock& clock = options_.clock;
  RegisterSystemRoutes(
      s, SystemSources{store_, monitor_, telemetry_, *metrics_, *hub_, options_.store_description,
                       clock, options_.extra_metrics, options_.slos});
  RegisterIngestRoutes(s, monitor_, store_, options_.ingest, clock);
  RegisterOtlpRoutes(s, monitor_, *metrics_, options_.ingest, options_.body_limit, clock);
  RegisterSeriesRoutes(s, monitor_, store_, *recent_, options_.slos, options_.severities, clock);
  RegisterSloRoutes(s, monitor_, store_, options_.slos, clock);
  RegisterSeriesSettingsRoutes(s, monitor_, store_, clock);
  RegisterPriceRoutes(s, store_, options_.prices, clock);
  RegisterViolationRoutes(s, monitor_, store_, options_.severities, clock);
  RegisterSampleRoutes(s, store_, clock);
  RegisterStreamRoutes(s, *hub_,
                       StreamLimits{options_.max_stream_clients, options_.stream_heartbeat,
                                    options_.stream_queue_frames});
  RegisterAlertRoutes(s, store_, clock);
  if (options_.alert_settings != nullptr) RegisterAlertSettingsRoutes(s, *options_.alert_settings);
  RegisterStatusRoutes(s, *status_);
  RegisterDemoRoutes(s, monitor_, store_, [this](const std::vector<SourceKey>& sources) {
    recent_->Forget(sources);
    status_->ForgetHistory();
  });
  RegisterSettingsAuditRoutes(s, store_);
  if (settings_.targets != nullptr) RegisterTargetRoutes(s, *settings_.targets, clock);
  // The dashboard's own data route, then its embedded files (last: the SPA fallback).
  RegisterDashboardRoutes(s, store_, monitor_, clock);
  AddStaticAssetRoutes(s);
}

}  // namespace llmscope::server

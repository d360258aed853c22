#include "server/http_api.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <filesystem>

#include "server/alert_routes.h"
#include "server/api_key.h"
#include "server/browser_headers.h"
#include "server/dashboard_routes.h"
#include "server/http_reply.h"
#include "server/ingest_routes.h"
#include "server/prometheus_metrics.h"
#include "server/recent_samples.h"
#include "server/response_encoding.h"
#include "server/sample_routes.h"
#include "server/series_routes.h"
#include "server/sse_hub.h"
#include "server/static_assets.h"
#include "server/stream_routes.h"
#include "server/system_routes.h"
#include "server/violation_routes.h"

namespace llmscope::server {

using httplib::Request;
using httplib::Response;

HttpApi::HttpApi(const HttpOptions& options, monitor::SeriesMonitor& monitor, store::Store& store,
                 std::string api_key, telemetry::HostTelemetry& telemetry)
    : options_(options),
      monitor_(monitor),
      store_(store),
      api_key_(std::move(api_key)),
      telemetry_(telemetry),
      http_(std::make_unique<httplib::Server>()),
      hub_(std::make_unique<SseHub>(options.max_stream_clients, options.stream_queue_frames)),
      metrics_(std::make_unique<PrometheusMetrics>(PrometheusMetrics::kDefaultMaxSources,
                                                   options.severities)),
      recent_(std::make_unique<RecentSamples>(options.recent_samples_per_source,
                                              options.recent_samples_total)) {
  const int threads = options.api_threads + options.max_stream_clients;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without TCP_NODELAY a keep-alive client waits on Nagle + delayed ACK (~40 requests/s).
  http_->set_tcp_nodelay(true);
  http_->set_payload_max_length(options.body_limit);
  http_->set_keep_alive_max_count(100000);
  http_->set_read_timeout(10, 0);
  {
    httplib::Headers headers;
    for (auto& [name, value] : BrowserHeaders()) headers.emplace(name, value);
    http_->set_default_headers(std::move(headers));
  }
  monitor_.AddListener([this](const std::vector<monitor::MonitorEvent>& events) {
    metrics_->Observe(events);
    std::vector<const Sample*> samples;
    for (const monitor::MonitorEvent& e : events) {
      if (e.kind == monitor::MonitorEvent::Kind::kSample) samples.push_back(&e.sample);
    }
    recent_->Add(samples);
    BroadcastMonitorEvents(*hub_, events, monitor_, options_.severities);
  });
  InstallAuthAndErrorHandlers();
  RegisterRoutes();
}

HttpApi::~HttpApi() = default;

Status HttpApi::LoadRecent() {
  return recent_->Load(store_);
}

namespace {

// cpp-httplib 0.11 listens with a backlog of 5: a burst of new connections beyond that has some
// dropped, and those clients retry after a second. Listening again on the same socket raises
// the backlog (Linux allows it); the library does not expose the socket, so it is found among
// this process's descriptors by its local port.
void RaiseListenBacklog(int port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (ec != std::errc()) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    int local_port = -1;
    if (addr.ss_family == AF_INET) {
      local_port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      local_port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    }
    if (local_port == port) listen(fd, SOMAXCONN);
  }
}

}  // namespace

Result<int> HttpApi::Bind() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
    if (port < 0) return Error{"bind_failed", "cannot listen on " + options_.host};
  } else if (!http_->bind_to_port(options_.host, port)) {
    return Error{"bind_failed", "cannot listen on " + options_.host + ":" + std::to_string(port) +
                                    " (in use, or not an address of this host)"};
  }
  RaiseListenBacklog(port);
  return port;
}

void HttpApi::Serve() {
  http_->listen_after_bind();
}

void HttpApi::Stop() {
  hub_->Close();
  http_->stop();
}

bool HttpApi::Authorized(const Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  static constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return false;
  }
  return KeysEqual(std::string_view(header).substr(kBearer.size()), api_key_);
}

void HttpApi::InstallAuthAndErrorHandlers() {
  httplib::Server& s = *http_;

  // Auth and CORS before routing, so that every route is covered, including unknown ones.
  s.set_pre_routing_handler([this](const Request& req, Response& res) {
    // The library's request object is not const (only this handler's view of it is).
    LimitResponseEncoding(const_cast<Request&>(req));
    if (!options_.cors_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", options_.cors_origin);
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      if (req.method == "OPTIONS") {
        res.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    const bool api = req.path.rfind("/api", 0) == 0;
    const bool metrics = req.path == "/metrics";
    if (!api && !metrics) return httplib::Server::HandlerResponse::Unhandled;
    const bool open = (api && options_.public_reads && req.method == "GET") ||
                      (metrics && (options_.public_metrics || options_.public_reads));
    if (open || Authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res,
              Error{"unauthorized", req.has_header("Authorization")
                                        ? "the API key is not valid"
                                        : "send the API key as 'Authorization: Bearer <key>'"});
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors raised by the library itself (404, 413, 400 on a malformed request) get a JSON body.
  s.set_error_handler([](const Request&, Response& res) {
    if (!res.body.empty()) return;
    switch (res.status) {
      case 404:
        return SendError(res, Error{"not_found", "no such route"});
      case 413:
        return SendError(res, Error{"body_too_large", "the request body is too large"});
      default:
        // The library chose the status (400, 414, ...); it is kept.
        return SendJson(res, res.status,
                        ErrorJson("bad_request",
                                  "the request could not be read (a POST needs a "
                                  "body and a Content-Length)"));
    }
  });
  s.set_exception_handler([](const Request&, Response& res, const std::exception_ptr&) {
    SendError(res, Error{"internal", "the request failed inside the server"});
  });
}

void HttpApi::RegisterRoutes() {
  httplib::Server& s = *http_;
  const Clock& clock = options_.clock;
  RegisterSystemRoutes(s, SystemSources{store_, monitor_, telemetry_, *metrics_, *hub_,
                                        options_.store_description, clock,
                                        options_.extra_metrics});
  RegisterIngestRoutes(s, monitor_, store_, options_.ingest, clock);
  RegisterSeriesRoutes(s, monitor_, store_, *recent_, options_.severities, clock);
  RegisterViolationRoutes(s, monitor_, store_, options_.severities, clock);
  RegisterSampleRoutes(s, store_, clock);
  RegisterStreamRoutes(s, *hub_, options_.max_stream_clients, options_.stream_heartbeat);
  RegisterAlertRoutes(s, store_, clock);
  // The dashboard's own data route, then its embedded files (last: the SPA fallback).
  RegisterDashboardRoutes(s, store_, monitor_, clock);
  AddStaticAssetRoutes(s);
}

}  // namespace llmscope::server

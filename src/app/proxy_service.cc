#include "app/proxy_service.h"

#include <chrono>

#include "proxy/batching_sink.h"
#include "proxy/proxy_server.h"

namespace llmscope::app {

// Declared in this order so that the server stops before the queue drains.
struct ProxyService::Parts {
  std::unique_ptr<proxy::BatchingSink> samples;
  std::unique_ptr<proxy::ProxyServer> server;
};

ProxyService::ProxyService(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ProxyService::~ProxyService() {
  parts_->server.reset();
  parts_->samples.reset();
}

Result<std::unique_ptr<ProxyService>> ProxyService::Start(const Config::Proxy& config,
                                                          const std::string& api_key,
                                                          monitor::SeriesMonitor& monitor,
                                                          const probe::PriceTable& prices,
                                                          const Log& log) {
  Result<std::pair<std::string, int>> listen = ParseListen(config.listen);
  if (!listen)
    return Error{"config_value", "proxy.listen: '" + config.listen + "' is not HOST:PORT"};
  Result<proxy::UpstreamRoutes> routes = proxy::UpstreamRoutes::Make(config.upstreams);
  if (!routes) return routes.error();

  auto parts = std::make_unique<Parts>();
  // A batch per store write: the store's group commit makes one write of many samples cheap.
  parts->samples = std::make_unique<proxy::BatchingSink>(
      static_cast<size_t>(config.queue), 1000, [&monitor, log](std::vector<Sample> batch) {
        Result<monitor::IngestReceipt> receipt = monitor.Ingest(std::move(batch));
        if (!receipt) log("proxy samples not stored: " + receipt.error().message);
      });
  proxy::ProxyOptions options;
  options.host = listen->first;
  options.port = listen->second;
  options.routes = std::move(*routes);
  if (config.require_key) options.required_key = api_key;
  options.prices = prices;
  options.upstream_idle_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(config.timeout_s * 1000.0));
  Result<std::unique_ptr<proxy::ProxyServer>> server =
      proxy::ProxyServer::Start(std::move(options), *parts->samples);
  if (!server) return server.error();
  parts->server = std::move(*server);
  return std::unique_ptr<ProxyService>(new ProxyService(std::move(parts)));
}

int ProxyService::port() const {
  return parts_->server->port();
}

uint64_t ProxyService::dropped() const {
  return parts_->samples->dropped();
}

std::string ProxyService::MetricsText() const {
  return "# HELP llmscope_proxy_samples_total Samples of proxied calls, by what became of them.\n"
         "# TYPE llmscope_proxy_samples_total counter\n"
         "llmscope_proxy_samples_total{outcome=\"ingested\"} " +
         std::to_string(parts_->samples->delivered()) +
         "\nllmscope_proxy_samples_total{outcome=\"dropped\"} " +
         std::to_string(parts_->samples->dropped()) + "\n";
}

}  // namespace llmscope::app

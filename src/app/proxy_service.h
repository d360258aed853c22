// ProxyService: serve's proxy (docs/design.md "Proxy"): the ProxyServer on [proxy] listen, its
// samples queued (bounded: [proxy] queue) and ingested in batches through SeriesMonitor::Ingest,
// the single ingest path of the API and the probes. A store too slow to keep up costs samples
// (dropped and counted), never calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "app/config.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "probe/price_table.h"

namespace llmscope::app {

class ProxyService {
 public:
  using Log = std::function<void(const std::string& line)>;

  // Starts the proxy; `api_key` is the key clients send in X-LLMscope-Key when [proxy]
  // require_key is set; `prices` the table calls are costed at (a handle: changes to it apply
  // to the next call). `monitor` must outlive the service. Errors: "config_value" (listen),
  // "listen".
  static Result<std::unique_ptr<ProxyService>> Start(const Config::Proxy& config,
                                                     const std::string& api_key,
                                                     monitor::SeriesMonitor& monitor,
                                                     const probe::PriceTable& prices,
                                                     const Log& log);
  ~ProxyService();  // stops the proxy, then ingests the samples still queued
  ProxyService(const ProxyService&) = delete;
  ProxyService& operator=(const ProxyService&) = delete;

  int port() const;
  // Samples dropped because the queue was full, since the start.
  uint64_t dropped() const;
  // The Prometheus exposition of the sample counters: llmscope_proxy_samples_total{outcome=
  // "ingested"|"dropped"} (dropped: the queue was full; the call itself went through).
  std::string MetricsText() const;

 private:
  struct Parts;
  explicit ProxyService(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace llmscope::app

// PrometheusMetrics: the /metrics exposition (Prometheus text format 0.0.4): per-series sample
// counters, latency histograms, violation counters by rule, open violations, build info.
// Fed by SeriesMonitor events; rendered on scrape. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "monitor/series_monitor.h"

namespace llmscope::server {

class PrometheusMetrics {
 public:
  // Upper bounds (ms) of the latency histogram buckets; +Inf is implied.
  static constexpr std::array<double, 12> kLatencyBucketsMs = {
      25, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000};

  void Observe(const std::vector<monitor::MonitorEvent>& events);

  // The exposition text. `open_violations` comes from the store at scrape time, `series` from
  // the monitor, `stream_clients` from the SSE hub.
  std::string Render(const std::vector<monitor::SeriesView>& series, int64_t open_violations,
                     size_t stream_clients) const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBucketsMs.size()> buckets{};  // cumulative at render time
    uint64_t count = 0;
    double sum = 0;
  };
  struct SourceCounters {
    uint64_t samples = 0, errors = 0;
    std::map<Metric, Histogram> latency;
  };
  mutable std::mutex mu_;
  std::map<SourceKey, SourceCounters> sources_;
  std::map<std::pair<SeriesKey, spc::Rule>, uint64_t> violations_;
};

}  // namespace llmscope::server

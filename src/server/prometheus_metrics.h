// PrometheusMetrics: the /metrics exposition (Prometheus text format 0.0.4), clean under
// `promtool check metrics`. Families (labels of a source: provider, model, site, profile):
//   llmscope_samples_total, llmscope_sample_errors_total          counters per source
//   llmscope_latency_seconds{metric="e2e_ms"|"ttft_ms"}           histogram per source
//   llmscope_violations_total{metric, rule, severity}             counter, monitoring phase only
//   llmscope_open_violations                                      gauge, from the store
//   llmscope_series_learning, llmscope_series_in_violation,
//   llmscope_series_degraded                                      gauges (0/1) per series: the
//       series' state (in_violation: an alarm episode is open; chart-rule signals never count)
//   llmscope_series_expected_false_alerts_30d,
//   llmscope_series_detection_delay_seconds                       the alarm detector's design
//   llmscope_series_value, llmscope_series_last_point_timestamp_seconds   the latest point
//   llmscope_control_limit{limit="ucl"|"cl"|"lcl"}                the current stage's limits
//   llmscope_capability{index="cp"|"cpk"}                         the current stage's capability
//       against the series' SLO (settings/series_slo.h; within σ̂, docs/spc.md §7)
//   llmscope_samples_omitted_total, llmscope_series_omitted        what the cardinality cap hid
//   llmscope_stream_clients, llmscope_build_info
// Series values and limits are in the metric's original unit (ms for e2e_ms, ttft_ms, tpot_ms);
// the histogram is in seconds, as Prometheus names it.
//
// Cardinality is bounded: at most `max_sources` sources are exported. Counters keep the first
// sources seen (samples of later ones only add to llmscope_samples_omitted_total); the per-series
// gauges export the first sources in key order and count the series they leave out.
// Fed by SeriesMonitor events; rendered on scrape. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "alert/severity.h"
#include "monitor/series_monitor.h"
#include "spc/capability.h"

namespace llmscope::server {

class PrometheusMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets; +Inf is implied.
  static constexpr std::array<double, 12> kLatencyBucketsS = {0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                              2,     5,    10,  20,   30,  60};
  static constexpr size_t kDefaultMaxSources = 1000;

  // `severities`: the config's overrides, for the severity label of violations.
  explicit PrometheusMetrics(size_t max_sources = kDefaultMaxSources,
                             alert::SeverityOverrides severities = {})
      : max_sources_(max_sources), severities_(std::move(severities)) {}

  void Observe(const monitor::MonitorBatch& batch);

  // OTLP ingest's items (spans, metric data points) of one export request: those that became
  // samples, those accepted and ignored, those refused. `signal`: "traces" or "metrics".
  // Rendered as llmscope_otlp_items_total{signal, outcome}.
  void CountOtlpItems(const std::string& signal, int64_t sampled, int64_t ignored,
                      int64_t rejected);

  // The exposition text. `open_violations` comes from the store at scrape time (negative when
  // the store could not say: the family is then left empty), `series` from the monitor,
  // `stream_clients` from the SSE hub, `slos` (each series' SLO) from the store.
  std::string Render(const std::vector<monitor::SeriesView>& series, int64_t open_violations,
                     size_t stream_clients,
                     const std::map<SeriesKey, spc::SpecLimits>& slos = {}) const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBucketsS.size()> buckets{};  // cumulative at render time
    uint64_t count = 0;
    double sum = 0;  // seconds
  };
  struct SourceCounters {
    uint64_t samples = 0, errors = 0;
    std::map<Metric, Histogram> latency;
  };
  void RenderSeries(const std::vector<monitor::SeriesView>& series,
                    const std::map<SeriesKey, spc::SpecLimits>& slos, std::string& out) const;

  const size_t max_sources_;
  const alert::SeverityOverrides severities_;
  mutable std::mutex mu_;
  std::map<SourceKey, SourceCounters> sources_;
  uint64_t samples_omitted_ = 0;
  std::map<std::pair<SeriesKey, spc::Rule>, uint64_t> violations_;
  std::map<std::pair<std::string, std::string>, uint64_t> otlp_items_;  // (signal, outcome)
};

}  // namespace llmscope::server

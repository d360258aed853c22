#include "server/prometheus_metrics.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace llmscope::server {
namespace {

// Label values escape backslash, double quote and line feed (exposition format).
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string SourceLabels(const SourceKey& k) {
  return "provider=\"" + Escape(k.provider) + "\",model=\"" + Escape(k.model) + "\",site=\"" +
         Escape(k.site) + "\",profile=\"" + Escape(k.profile) + "\"";
}

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void PrometheusMetrics::Observe(const std::vector<monitor::MonitorEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const monitor::MonitorEvent& e : events) {
    if (e.kind == monitor::MonitorEvent::Kind::kSample) {
      SourceCounters& c = sources_[e.sample.source];
      ++c.samples;
      c.errors += e.sample.error ? 1 : 0;
      for (Metric m : {Metric::kE2eMs, Metric::kTtftMs}) {
        std::optional<double> v = e.sample.value(m);
        if (!v || e.sample.error) continue;
        Histogram& h = c.latency[m];
        ++h.count;
        h.sum += *v;
        for (size_t i = 0; i < kLatencyBucketsMs.size(); ++i) {
          if (*v <= kLatencyBucketsMs[i]) {
            ++h.buckets[i];
            break;
          }
        }
      }
    } else if (e.kind == monitor::MonitorEvent::Kind::kViolationOpened &&
               e.violation.phase == spc::Phase::kMonitoring) {
      ++violations_[{e.violation.series, e.violation.rule}];
    }
  }
}

std::string PrometheusMetrics::Render(const std::vector<monitor::SeriesView>& series,
                                      int64_t open_violations, size_t stream_clients) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mu_);
  out << "# HELP llmscope_build_info LLMscope build information.\n"
         "# TYPE llmscope_build_info gauge\n"
         "llmscope_build_info{version=\"0.1.0\"} 1\n";
  out << "# HELP llmscope_samples_total Probe samples ingested since the server started.\n"
         "# TYPE llmscope_samples_total counter\n";
  for (const auto& [k, c] : sources_) {
    out << "llmscope_samples_total{" << SourceLabels(k) << "} " << c.samples << "\n";
  }
  out << "# HELP llmscope_sample_errors_total Failed probe calls ingested since start.\n"
         "# TYPE llmscope_sample_errors_total counter\n";
  for (const auto& [k, c] : sources_) {
    out << "llmscope_sample_errors_total{" << SourceLabels(k) << "} " << c.errors << "\n";
  }
  out << "# HELP llmscope_latency_ms Probe latency in milliseconds (metric: e2e_ms, ttft_ms).\n"
         "# TYPE llmscope_latency_ms histogram\n";
  for (const auto& [k, c] : sources_) {
    for (const auto& [metric, h] : c.latency) {
      const std::string labels =
          SourceLabels(k) + ",metric=\"" + std::string(MetricName(metric)) + "\"";
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kLatencyBucketsMs.size(); ++i) {
        cumulative += h.buckets[i];
        out << "llmscope_latency_ms_bucket{" << labels << ",le=\"" << Number(kLatencyBucketsMs[i])
            << "\"} " << cumulative << "\n";
      }
      out << "llmscope_latency_ms_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
      out << "llmscope_latency_ms_sum{" << labels << "} " << Number(h.sum) << "\n";
      out << "llmscope_latency_ms_count{" << labels << "} " << h.count << "\n";
    }
  }
  out << "# HELP llmscope_violations_total Violation events opened while monitoring, by rule.\n"
         "# TYPE llmscope_violations_total counter\n";
  for (const auto& [key, n] : violations_) {
    out << "llmscope_violations_total{" << SourceLabels(key.first.source) << ",metric=\""
        << MetricName(key.first.metric) << "\",rule=\"" << spc::RuleName(key.second) << "\"} "
        << n << "\n";
  }
  out << "# HELP llmscope_open_violations Violations not yet acknowledged or resolved.\n"
         "# TYPE llmscope_open_violations gauge\n";
  out << "llmscope_open_violations " << open_violations << "\n";
  out << "# HELP llmscope_series_learning 1 while the series is learning its baseline.\n"
         "# TYPE llmscope_series_learning gauge\n";
  for (const monitor::SeriesView& v : series) {
    out << "llmscope_series_learning{" << SourceLabels(v.key.source) << ",metric=\""
        << MetricName(v.key.metric) << "\"} " << (v.learning ? 1 : 0) << "\n";
  }
  out << "# HELP llmscope_control_limit The frozen limits of each series, original unit.\n"
         "# TYPE llmscope_control_limit gauge\n";
  for (const monitor::SeriesView& v : series) {
    if (!v.stage) continue;
    const spc::Limits l =
        spc::OriginalUnitLimits(*v.stage, v.config.rules.r1_sigma, v.config.non_negative_metric);
    const std::string labels = SourceLabels(v.key.source) + ",metric=\"" +
                               std::string(MetricName(v.key.metric)) + "\"";
    out << "llmscope_control_limit{" << labels << ",limit=\"ucl\"} " << Number(l.ucl) << "\n";
    out << "llmscope_control_limit{" << labels << ",limit=\"cl\"} " << Number(l.center) << "\n";
    out << "llmscope_control_limit{" << labels << ",limit=\"lcl\"} " << Number(l.lcl) << "\n";
  }
  out << "# HELP llmscope_stream_clients Open /api/stream connections.\n"
         "# TYPE llmscope_stream_clients gauge\n"
         "llmscope_stream_clients "
      << stream_clients << "\n";
  return out.str();
}

}  // namespace llmscope::server

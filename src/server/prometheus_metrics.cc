#include "server/prometheus_metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

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

std::string SeriesLabels(const SeriesKey& k) {
  return SourceLabels(k.source) + ",metric=\"" + std::string(MetricName(k.metric)) + "\"";
}

// The shortest text that reads back as the same double (0.025, not 0.025000000000000001).
std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void Family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void Line(std::string& out, const std::string& name, const std::string& labels,
          const std::string& value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

void PrometheusMetrics::Observe(const monitor::MonitorBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Sample& sample : batch.samples) {
    auto it = sources_.find(sample.source);
    if (it == sources_.end()) {
      if (sources_.size() >= max_sources_) {
        ++samples_omitted_;
        continue;
      }
      it = sources_.emplace(sample.source, SourceCounters{}).first;
    }
    SourceCounters& c = it->second;
    ++c.samples;
    c.errors += sample.error ? 1 : 0;
    for (Metric m : {Metric::kE2eMs, Metric::kTtftMs}) {
      std::optional<double> v = sample.value(m);
      if (!v || sample.error) continue;
      const double seconds = *v / 1000.0;
      Histogram& h = c.latency[m];
      ++h.count;
      h.sum += seconds;
      for (size_t i = 0; i < kLatencyBucketsS.size(); ++i) {
        if (seconds <= kLatencyBucketsS[i]) {
          ++h.buckets[i];
          break;
        }
      }
    }
  }
  for (const monitor::MonitorEvent& e : batch.events) {
    if (e.kind == monitor::MonitorEvent::Kind::kViolationOpened &&
        e.violation.phase == spc::Phase::kMonitoring &&
        sources_.contains(e.violation.series.source)) {
      ++violations_[{e.violation.series, e.violation.rule}];
    }
  }
}

std::string PrometheusMetrics::Render(const std::vector<monitor::SeriesView>& series,
                                      int64_t open_violations, size_t stream_clients,
                                      const std::map<SeriesKey, spc::SpecLimits>& slos) const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  Family(out, "llmscope_build_info", "gauge", "LLMscope build information.");
  Line(out, "llmscope_build_info", "version=\"0.1.0\"", "1");

  Family(out, "llmscope_samples_total", "counter",
         "Probe samples ingested since the server started.");
  for (const auto& [k, c] : sources_) {
    Line(out, "llmscope_samples_total", SourceLabels(k), std::to_string(c.samples));
  }
  Family(out, "llmscope_sample_errors_total", "counter",
         "Failed probe calls (error: true) ingested since the server started.");
  for (const auto& [k, c] : sources_) {
    Line(out, "llmscope_sample_errors_total", SourceLabels(k), std::to_string(c.errors));
  }
  Family(out, "llmscope_samples_omitted_total", "counter",
         "Samples of sources beyond the exported cardinality cap (not in the other families).");
  Line(out, "llmscope_samples_omitted_total", "", std::to_string(samples_omitted_));

  Family(out, "llmscope_latency_seconds", "histogram",
         "Latency of successful probe calls in seconds (metric: e2e_ms, ttft_ms).");
  for (const auto& [k, c] : sources_) {
    for (const auto& [metric, h] : c.latency) {
      const std::string labels = SeriesLabels({k, metric});
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kLatencyBucketsS.size(); ++i) {
        cumulative += h.buckets[i];
        Line(out, "llmscope_latency_seconds_bucket",
             labels + ",le=\"" + Number(kLatencyBucketsS[i]) + "\"", std::to_string(cumulative));
      }
      Line(out, "llmscope_latency_seconds_bucket", labels + ",le=\"+Inf\"",
           std::to_string(h.count));
      Line(out, "llmscope_latency_seconds_sum", labels, Number(h.sum));
      Line(out, "llmscope_latency_seconds_count", labels, std::to_string(h.count));
    }
  }

  Family(out, "llmscope_violations_total", "counter",
         "Violation events opened while monitoring, by rule and severity (critical and warning "
         "are alerts; info the exact chart's signals), since the server started.");
  for (const auto& [key, n] : violations_) {
    const std::string severity(alert::SeverityName(alert::SeverityOf(key.second, severities_)));
    Line(out, "llmscope_violations_total",
         SeriesLabels(key.first) + ",rule=\"" + std::string(spc::RuleName(key.second)) +
             "\",severity=\"" + severity + "\"",
         std::to_string(n));
  }
  Family(out, "llmscope_open_violations", "gauge",
         "Violations in the store not yet acknowledged or resolved.");
  if (open_violations >= 0) {
    Line(out, "llmscope_open_violations", "", std::to_string(open_violations));
  }

  RenderSeries(series, slos, out);

  Family(out, "llmscope_stream_clients", "gauge", "Open /api/stream connections.");
  Line(out, "llmscope_stream_clients", "", std::to_string(stream_clients));

  Family(out, "llmscope_otlp_items_total", "counter",
         "OTLP spans and metric data points received (outcome: sampled, ignored, rejected).");
  for (const char* signal : {"metrics", "traces"}) {
    for (const char* outcome : {"ignored", "rejected", "sampled"}) {
      auto it = otlp_items_.find({signal, outcome});
      Line(out, "llmscope_otlp_items_total",
           std::string("signal=\"") + signal + "\",outcome=\"" + outcome + "\"",
           std::to_string(it == otlp_items_.end() ? 0 : it->second));
    }
  }
  return out;
}

void PrometheusMetrics::CountOtlpItems(const std::string& signal, int64_t sampled, int64_t ignored,
                                       int64_t rejected) {
  std::lock_guard<std::mutex> lock(mu_);
  otlp_items_[{signal, "sampled"}] += static_cast<uint64_t>(sampled);
  otlp_items_[{signal, "ignored"}] += static_cast<uint64_t>(ignored);
  otlp_items_[{signal, "rejected"}] += static_cast<uint64_t>(rejected);
}

void PrometheusMetrics::RenderSeries(const std::vector<monitor::SeriesView>& series,
                                     const std::map<SeriesKey, spc::SpecLimits>& slos,
                                     std::string& out) const {
  // The exported series: those of the first max_sources_ sources in key order.
  std::set<SourceKey> sources;
  for (const monitor::SeriesView& v : series) sources.insert(v.key.source);
  while (sources.size() > max_sources_) sources.erase(std::prev(sources.end()));
  std::vector<const monitor::SeriesView*> shown;
  for (const monitor::SeriesView& v : series) {
    if (sources.contains(v.key.source)) shown.push_back(&v);
  }

  Family(out, "llmscope_series_omitted", "gauge",
         "Series beyond the exported cardinality cap (not in the llmscope_series_* families).");
  Line(out, "llmscope_series_omitted", "", std::to_string(series.size() - shown.size()));
  Family(out, "llmscope_series_learning", "gauge",
         "1 while the series is learning its baseline, else 0.");
  for (const monitor::SeriesView* v : shown) {
    Line(out, "llmscope_series_learning", SeriesLabels(v->key), v->learning ? "1" : "0");
  }
  Family(out, "llmscope_series_in_violation", "gauge",
         "1 while an alarm episode (SHIFT, JUMP, ERRORS) is open on the series, else 0.");
  for (const monitor::SeriesView* v : shown) {
    Line(out, "llmscope_series_in_violation", SeriesLabels(v->key),
         v->state == monitor::SeriesState::kViolation ? "1" : "0");
  }
  Family(out, "llmscope_series_degraded", "gauge",
         "1 while the series' alarm statistic is past its early-warning level, else 0.");
  for (const monitor::SeriesView* v : shown) {
    Line(out, "llmscope_series_degraded", SeriesLabels(v->key),
         v->state == monitor::SeriesState::kDegraded ? "1" : "0");
  }
  Family(out, "llmscope_series_expected_false_alerts_30d", "gauge",
         "False alerts per 30 days the series' alarm detector is expected to raise at its "
         "estimates and sampling rate.");
  for (const monitor::SeriesView* v : shown) {
    if (v->alarm.expected_false_alerts_per_30d) {
      Line(out, "llmscope_series_expected_false_alerts_30d", SeriesLabels(v->key),
           Number(*v->alarm.expected_false_alerts_per_30d));
    }
  }
  Family(out, "llmscope_series_detection_delay_seconds", "gauge",
         "Expected delay from a x1.2 shift (errors: a rise of 5 points) to its alert.");
  for (const monitor::SeriesView* v : shown) {
    if (v->alarm.detection_delay_ms) {
      Line(out, "llmscope_series_detection_delay_seconds", SeriesLabels(v->key),
           Number(*v->alarm.detection_delay_ms / 1000.0));
    }
  }
  Family(out, "llmscope_series_value", "gauge",
         "The series' latest point, in the metric's original unit (ms for latencies).");
  for (const monitor::SeriesView* v : shown) {
    if (v->last) Line(out, "llmscope_series_value", SeriesLabels(v->key), Number(v->last->value));
  }
  Family(out, "llmscope_series_last_point_timestamp_seconds", "gauge",
         "Sample time of the series' latest point, Unix seconds.");
  for (const monitor::SeriesView* v : shown) {
    if (v->last) {
      Line(out, "llmscope_series_last_point_timestamp_seconds", SeriesLabels(v->key),
           Number(static_cast<double>(v->last->time_ms) / 1000.0));
    }
  }
  Family(out, "llmscope_control_limit", "gauge",
         "The current stage's control limits (limit: ucl, cl, lcl), metric's original unit.");
  for (const monitor::SeriesView* v : shown) {
    if (!v->stage) continue;
    const spc::Limits l = monitor::ShownLimits(v->key.metric, *v->stage, v->config);
    const std::string labels = SeriesLabels(v->key);
    Line(out, "llmscope_control_limit", labels + ",limit=\"ucl\"", Number(l.ucl));
    Line(out, "llmscope_control_limit", labels + ",limit=\"cl\"", Number(l.center));
    Line(out, "llmscope_control_limit", labels + ",limit=\"lcl\"", Number(l.lcl));
  }
  Family(out, "llmscope_capability", "gauge",
         "The current stage's capability against the series' SLO (index: cp, cpk; cp needs "
         "both limits).");
  for (const monitor::SeriesView* v : shown) {
    const auto slo = slos.find(v->key);
    if (!v->stage || slo == slos.end()) continue;
    Result<spc::Capability> c = spc::ComputeCapability({}, *v->stage, slo->second);
    if (!c) continue;
    const std::string labels = SeriesLabels(v->key);
    if (c->cp) Line(out, "llmscope_capability", labels + ",index=\"cp\"", Number(*c->cp));
    if (c->cpk) Line(out, "llmscope_capability", labels + ",index=\"cpk\"", Number(*c->cpk));
  }
}

}  // namespace llmscope::server

#include "otlp/metric_samples.h"

#include <cstdio>
#include <functional>

#include "otlp/genai_attributes.h"

namespace llmscope::otlp {
namespace {

using opentelemetry::proto::common::v1::InstrumentationScope;
using opentelemetry::proto::metrics::v1::AggregationTemporality;
using opentelemetry::proto::metrics::v1::Metric;
using opentelemetry::proto::resource::v1::Resource;

// The chart a GenAI histogram feeds; nullopt for any other metric.
std::optional<llmscope::Metric> ChartedMetric(const std::string& name) {
  if (name == "gen_ai.client.operation.duration") return llmscope::Metric::kE2eMs;
  if (name == "gen_ai.client.operation.time_to_first_chunk" ||
      name == "gen_ai.server.time_to_first_token") {
    return llmscope::Metric::kTtftMs;
  }
  if (name == "gen_ai.server.time_per_output_token") return llmscope::Metric::kTpotMs;
  return std::nullopt;
}

// One histogram data point, whichever kind: what the histogram rule reads of it.
struct HistogramPoint {
  const Attributes& attributes;
  uint64_t start_unix_nanos, unix_nanos, count;
  std::optional<double> sum;
};

// A stream's identity: metric, resource, scope and the point's attributes.
std::string StreamKey(const std::string& metric, const Resource& resource,
                      const InstrumentationScope& scope, const Attributes& attributes) {
  std::string key = metric;
  key += '\0';
  key += resource.SerializeAsString();
  key += '\0';
  key += scope.name() + '\0' + scope.version() + '\0';
  for (const auto& kv : attributes) key += kv.SerializeAsString();
  return key;
}

class MetricReader {
 public:
  MetricReader(HistogramStreams& streams, ExportOutcome& out) : streams_(streams), out_(out) {}

  void Read(const Resource& resource, const InstrumentationScope& scope, const Metric& metric) {
    const std::optional<llmscope::Metric> charted = ChartedMetric(metric.name());
    if (!charted) return IgnorePoints(metric);
    const double ms_per_unit = metric.unit() == "ms" ? 1.0 : 1000.0;
    if (metric.has_histogram()) {
      const bool delta = metric.histogram().aggregation_temporality() ==
                         AggregationTemporality::AGGREGATION_TEMPORALITY_DELTA;
      for (const auto& p : metric.histogram().data_points()) {
        Add(resource, scope, metric, *charted, ms_per_unit, delta,
            HistogramPoint{p.attributes(), p.start_time_unix_nano(), p.time_unix_nano(), p.count(),
                           p.has_sum() ? std::optional(p.sum()) : std::nullopt});
      }
    } else if (metric.has_exponential_histogram()) {
      const bool delta = metric.exponential_histogram().aggregation_temporality() ==
                         AggregationTemporality::AGGREGATION_TEMPORALITY_DELTA;
      for (const auto& p : metric.exponential_histogram().data_points()) {
        Add(resource, scope, metric, *charted, ms_per_unit, delta,
            HistogramPoint{p.attributes(), p.start_time_unix_nano(), p.time_unix_nano(), p.count(),
                           p.has_sum() ? std::optional(p.sum()) : std::nullopt});
      }
    } else {
      IgnorePoints(metric);
    }
  }

 private:
  void IgnorePoints(const Metric& metric) {
    switch (metric.data_case()) {
      case Metric::kGauge:
        out_.ignored += metric.gauge().data_points_size();
        break;
      case Metric::kSum:
        out_.ignored += metric.sum().data_points_size();
        break;
      case Metric::kHistogram:
        out_.ignored += metric.histogram().data_points_size();
        break;
      case Metric::kExponentialHistogram:
        out_.ignored += metric.exponential_histogram().data_points_size();
        break;
      case Metric::kSummary:
        out_.ignored += metric.summary().data_points_size();
        break;
      case Metric::DATA_NOT_SET:
        break;
    }
  }

  void Add(const Resource& resource, const InstrumentationScope& scope, const Metric& metric,
           llmscope::Metric charted, double ms_per_unit, bool delta, const HistogramPoint& p) {
    if (FindAttribute(p.attributes, "error.type") != nullptr) {
      ++out_.ignored;
      return;
    }
    const std::string where = metric.name() + " data point";
    Sample s;
    s.source = GenAiSource(resource, p.attributes);
    if (s.source.provider.empty()) {
      return out_.Reject(where + ": no gen_ai.provider.name (or gen_ai.system)");
    }
    if (s.source.model.empty()) {
      return out_.Reject(where + ": no gen_ai.response.model (or gen_ai.request.model)");
    }
    if (!p.sum) return out_.Reject(where + ": no sum, so no mean");
    const std::string stream = StreamKey(metric.name(), resource, scope, p.attributes);
    std::optional<HistogramInterval> interval;
    if (delta) {
      interval = HistogramInterval{p.count, *p.sum};
    } else {
      interval = streams_.Difference(stream, p.start_unix_nanos, p.count, *p.sum);
    }
    if (!interval || interval->count == 0) {
      ++out_.ignored;
      return;
    }
    s.time_ms = NanosToMillis(p.unix_nanos);
    const double mean_ms = interval->sum / static_cast<double>(interval->count) * ms_per_unit;
    switch (charted) {
      case llmscope::Metric::kTtftMs:
        s.ttft_ms = mean_ms;
        break;
      case llmscope::Metric::kTpotMs:
        s.tpot_ms = mean_ms;
        break;
      default:
        s.e2e_ms = mean_ms;
        break;
    }
    // One sample per stream and interval end: an export resent after a lost reply is stored
    // once.
    char key[64];
    std::snprintf(key, sizeof key, "otlpm/%016zx/%llu", std::hash<std::string>{}(stream),
                  static_cast<unsigned long long>(p.unix_nanos));
    s.ingest_key = key;
    out_.samples.push_back(std::move(s));
  }

  HistogramStreams& streams_;
  ExportOutcome& out_;
};

}  // namespace

ExportOutcome SamplesFromMetrics(
    const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& request,
    HistogramStreams& streams) {
  ExportOutcome out;
  MetricReader reader(streams, out);
  for (const auto& resource_metrics : request.resource_metrics()) {
    for (const auto& scope_metrics : resource_metrics.scope_metrics()) {
      for (const Metric& metric : scope_metrics.metrics()) {
        reader.Read(resource_metrics.resource(), scope_metrics.scope(), metric);
      }
    }
  }
  return out;
}

}  // namespace llmscope::otlp

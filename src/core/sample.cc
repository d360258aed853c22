#include "core/sample.h"

namespace llmscope {
namespace {

constexpr std::array<std::string_view, kMetricCount> kMetricNames = {
    "e2e_ms", "ttft_ms", "tpot_ms", "tokens_per_s", "cost_usd", "error"};

}  // namespace

std::string_view MetricName(Metric m) { return kMetricNames[static_cast<size_t>(m)]; }

std::optional<Metric> ParseMetric(std::string_view name) {
  for (Metric m : kAllMetrics) {
    if (MetricName(m) == name) return m;
  }
  return std::nullopt;
}

bool MetricIsLatency(Metric m) {
  return m == Metric::kE2eMs || m == Metric::kTtftMs || m == Metric::kTpotMs;
}

std::string SeriesId(const SeriesKey& key) {
  std::string id = key.source.provider + "/" + key.source.model + "/" +
                   std::string(MetricName(key.metric));
  if (!key.source.site.empty()) id += "@" + key.source.site;
  if (!key.source.profile.empty()) id += "#" + key.source.profile;
  return id;
}

std::optional<double> Sample::value(Metric m) const {
  switch (m) {
    case Metric::kE2eMs: return e2e_ms;
    case Metric::kTtftMs: return ttft_ms;
    case Metric::kTpotMs: return tpot_ms;
    case Metric::kTokensPerS: return tokens_per_s;
    case Metric::kCostUsd: return cost_usd;
    case Metric::kError: return error ? 1.0 : 0.0;
  }
  return std::nullopt;
}

}  // namespace llmscope

// The domain types every layer shares (docs/design.md "Data"): a probe sample, the metrics measured
// from it, and the key of a series. Plain data; no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmscope {

// The metrics of docs/spc.md §1. Each (source, metric) pair is one series with its own chart.
enum class Metric : uint8_t { kE2eMs, kTtftMs, kTpotMs, kTokensPerS, kCostUsd, kError };
inline constexpr int kMetricCount = 6;
inline constexpr std::array<Metric, kMetricCount> kAllMetrics = {
    Metric::kE2eMs,      Metric::kTtftMs,  Metric::kTpotMs,
    Metric::kTokensPerS, Metric::kCostUsd, Metric::kError};

// "e2e_ms", "ttft_ms", "tpot_ms", "tokens_per_s", "cost_usd", "error".
std::string_view MetricName(Metric m);
std::optional<Metric> ParseMetric(std::string_view name);
// The docs/spc.md §1 default transform is `log` for the three latencies.
bool MetricIsLatency(Metric m);

// Where samples come from: one provider and model, probed from one site with one prompt profile.
// site and profile are "" when not given.
struct SourceKey {
  std::string provider, model, site, profile;
  friend bool operator==(const SourceKey&, const SourceKey&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>'s 0
  friend auto operator<=>(const SourceKey&, const SourceKey&) = default;
};

// One chart: a source and a metric.
struct SeriesKey {
  SourceKey source;
  Metric metric = Metric::kE2eMs;
  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>'s 0
  friend auto operator<=>(const SeriesKey&, const SeriesKey&) = default;
};

// "provider/model/metric", with "@site" and "#profile" when present: the series' id in URLs.
std::string SeriesId(const SeriesKey& key);

// Host telemetry at the moment of a probe call; each field null when unknown.
struct Telemetry {
  std::optional<double> cpu_percent, memory_percent;
  std::optional<double> gpu_percent, gpu_memory_percent, gpu_temp_c;
};

// One probe call, as measured, pushed through the API or loaded from a store.
struct Sample {
  int64_t id = 0;       // assigned by the store; 0 before it is stored
  int64_t time_ms = 0;  // UTC, milliseconds since the epoch
  SourceKey source;

  // The metrics of docs/spc.md §1 (null: not measured for this call).
  std::optional<double> e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd;
  bool error = false;
  std::string error_kind;  // refused, timeout, http_429, http_5xx, malformed, truncated, ...
  std::string error_message;

  // Ollama's own durations and counts, when the provider reports them.
  std::optional<double> total_duration_ms, load_duration_ms, prompt_eval_duration_ms,
      eval_duration_ms;
  std::optional<int64_t> prompt_eval_count, eval_count;
  std::optional<int64_t> tokens_in, tokens_out;

  Telemetry telemetry;
  std::string prompt_hash;
  std::optional<std::string> prompt_text;  // stored only when configured

  // The sender's idempotency key (POST /api/stats "ingest_key"): a store keeps one sample per
  // key, so a resent sample is not stored twice. nullopt for a sample sent without one.
  std::optional<std::string> ingest_key;

  // The value of metric m in this sample, if measured. kError is 1 for a failed call, else 0.
  std::optional<double> value(Metric m) const;
};

}  // namespace llmscope

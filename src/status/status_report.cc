#include "status/status_report.h"

#include <algorithm>
#include <map>

#include "spc/summary.h"

namespace llmscope::status {
namespace {

constexpr int64_t kMinSilenceMs = 60'000;
constexpr int64_t kSilenceUnknownIntervalMs = 300'000;
constexpr double kSilentIntervals = 5;

}  // namespace

const char* SourceStateName(SourceState s) {
  switch (s) {
    case SourceState::kInControl:
      return "in_control";
    case SourceState::kLearning:
      return "learning";
    case SourceState::kDegraded:
      return "degraded";
    case SourceState::kViolation:
      return "violation";
    case SourceState::kSilent:
      return "silent";
  }
  return "in_control";
}

const char* SourceStateLabel(SourceState s) {
  switch (s) {
    case SourceState::kInControl:
      return "In control";
    case SourceState::kLearning:
      return "Learning";
    case SourceState::kDegraded:
      return "Degraded";
    case SourceState::kViolation:
      return "Violation";
    case SourceState::kSilent:
      return "Silent";
  }
  return "In control";
}

const char* DayStateName(DayState s) {
  switch (s) {
    case DayState::kNoData:
      return "no_data";
    case DayState::kInControl:
      return "in_control";
    case DayState::kWarning:
      return "warning";
    case DayState::kCritical:
      return "critical";
  }
  return "no_data";
}

const char* DayStateLabel(DayState s) {
  switch (s) {
    case DayState::kNoData:
      return "No data";
    case DayState::kInControl:
      return "In control";
    case DayState::kWarning:
      return "Warning";
    case DayState::kCritical:
      return "Critical";
  }
  return "No data";
}

int64_t SilentAfterMs(std::optional<double> interval_ms) {
  if (!interval_ms || !(*interval_ms > 0)) return kSilenceUnknownIntervalMs;
  return std::max(kMinSilenceMs, static_cast<int64_t>(kSilentIntervals * *interval_ms));
}

std::vector<DayStatus> DayStatesOf(int64_t first_day, int days,
                                   const std::vector<store::DailySampleCount>& counts,
                                   const std::vector<ViolationSpan>& violations) {
  std::vector<DayStatus> strip(static_cast<size_t>(std::max(days, 0)));
  for (size_t i = 0; i < strip.size(); ++i) strip[i].day = first_day + static_cast<int64_t>(i);
  const int64_t last_day = first_day + static_cast<int64_t>(strip.size()) - 1;
  auto slot = [&](int64_t day) -> DayStatus* {
    if (day < first_day || day > last_day) return nullptr;
    return &strip[static_cast<size_t>(day - first_day)];
  };
  for (const store::DailySampleCount& c : counts) {
    if (DayStatus* d = slot(c.day)) {
      d->samples += c.samples;
      d->errors += c.errors;
    }
  }
  for (const ViolationSpan& v : violations) {
    if (v.severity == alert::Severity::kInfo) continue;
    const int64_t from = std::max(store::UtcDayOf(v.first_time_ms), first_day);
    const int64_t to = std::min(store::UtcDayOf(v.last_time_ms), last_day);
    for (int64_t day = from; day <= to; ++day) {
      DayStatus& d = *slot(day);
      (v.severity == alert::Severity::kCritical ? d.criticals : d.warnings) += 1;
    }
  }
  for (DayStatus& d : strip) {
    d.state = d.samples == 0    ? DayState::kNoData
              : d.criticals > 0 ? DayState::kCritical
              : d.warnings > 0  ? DayState::kWarning
                                : DayState::kInControl;
  }
  return strip;
}

SourceState SourceStateOf(const SourceInput& source, int64_t now_ms) {
  if (!source.last_sample_ms ||
      now_ms - *source.last_sample_ms > SilentAfterMs(source.interval_ms)) {
    return SourceState::kSilent;
  }
  SourceState worst = SourceState::kInControl;
  for (const MetricStatus& m : source.metrics) worst = std::max(worst, m.state);
  return worst;
}

std::vector<double> SparklineOf(const std::vector<double>& values, int points) {
  const size_t n = values.size();
  const size_t runs = std::min(n, static_cast<size_t>(std::max(points, 0)));
  std::vector<double> spark;
  spark.reserve(runs);
  for (size_t r = 0; r < runs; ++r) {
    // Run r holds values [r·n/runs, (r+1)·n/runs): lengths differ by at most one.
    const size_t begin = r * n / runs, end = (r + 1) * n / runs;
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += values[i];
    spark.push_back(sum / static_cast<double>(end - begin));
  }
  return spark;
}

StatusReport BuildStatusReport(const StatusInputs& inputs) {
  StatusReport report;
  report.generated_ms = inputs.now_ms;
  report.first_day = store::UtcDayOf(inputs.now_ms) - inputs.days + 1;
  report.days = inputs.days;
  std::map<SourceKey, std::vector<store::DailySampleCount>> counts;
  for (const store::DailySampleCount& c : inputs.day_counts) counts[c.source].push_back(c);
  std::map<SourceKey, std::vector<ViolationSpan>> violations;
  for (const ViolationSpan& v : inputs.violations) violations[v.source].push_back(v);
  for (const SourceInput& in : inputs.sources) {
    SourceStatus s;
    s.source = in.source;
    s.state = SourceStateOf(in, inputs.now_ms);
    s.metrics = in.metrics;
    std::sort(s.metrics.begin(), s.metrics.end(),
              [](const MetricStatus& a, const MetricStatus& b) { return a.metric < b.metric; });
    s.last_sample_ms = in.last_sample_ms;
    s.interval_ms = in.interval_ms;
    s.silent_after_ms = SilentAfterMs(in.interval_ms);
    if (!in.recent_e2e_ms.empty()) {
      std::vector<double> sorted = in.recent_e2e_ms;
      std::sort(sorted.begin(), sorted.end());
      s.e2e_p50_ms = spc::NearestRankPercentile(sorted, 50);
      s.e2e_p95_ms = spc::NearestRankPercentile(sorted, 95);
    }
    s.e2e_spark = SparklineOf(in.recent_e2e_ms, kSparkPoints);
    s.days = DayStatesOf(report.first_day, inputs.days, counts[in.source], violations[in.source]);
    report.overall = std::max(report.overall.value_or(s.state), s.state);
    report.sources.push_back(std::move(s));
  }
  std::sort(report.sources.begin(), report.sources.end(),
            [](const SourceStatus& a, const SourceStatus& b) { return a.source < b.source; });
  return report;
}

}  // namespace llmscope::status

#include "status/status_json.h"

#include "core/time_format.h"

namespace llmscope::status {
namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json StripJson(const std::vector<DayStatus>& days) {
  json state = json::array(), samples = json::array(), errors = json::array();
  json warnings = json::array(), criticals = json::array();
  for (const DayStatus& d : days) {
    state.push_back(DayStateName(d.state));
    samples.push_back(d.samples);
    errors.push_back(d.errors);
    warnings.push_back(d.warnings);
    criticals.push_back(d.criticals);
  }
  return json{{"state", std::move(state)},
              {"samples", std::move(samples)},
              {"errors", std::move(errors)},
              {"warnings", std::move(warnings)},
              {"criticals", std::move(criticals)}};
}

json SourceJson(const SourceStatus& s) {
  json metrics = json::array();
  for (const MetricStatus& m : s.metrics) {
    metrics.push_back({{"metric", MetricName(m.metric)}, {"state", SourceStateName(m.state)}});
  }
  return json{{"provider", s.source.provider},
              {"model", s.source.model},
              {"site", s.source.site},
              {"profile", s.source.profile},
              {"state", SourceStateName(s.state)},
              {"metrics", std::move(metrics)},
              {"last_sample", s.last_sample_ms ? json(FormatIsoUtc(*s.last_sample_ms)) : json()},
              {"interval_ms", OrNull(s.interval_ms)},
              {"silent_after_ms", s.silent_after_ms},
              {"e2e_p50_ms", OrNull(s.e2e_p50_ms)},
              {"e2e_p95_ms", OrNull(s.e2e_p95_ms)},
              {"e2e_spark", s.e2e_spark},
              {"strip", StripJson(s.days)}};
}

}  // namespace

std::string UtcDate(int64_t day) {
  return FormatIsoUtc(day * store::kDayMs).substr(0, 10);
}

nlohmann::json StatusReportJson(const StatusReport& report) {
  json sources = json::array();
  for (const SourceStatus& s : report.sources) sources.push_back(SourceJson(s));
  return json{{"generated", FormatIsoUtc(report.generated_ms)},
              {"overall", report.overall ? json(SourceStateName(*report.overall)) : json()},
              {"days", report.days},
              {"first_date", UtcDate(report.first_day)},
              {"sources", std::move(sources)}};
}

}  // namespace llmscope::status

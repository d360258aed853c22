#include "settings/series_overrides.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "settings/series_slo.h"
#include "spc/rule.h"

namespace llmscope::settings {
namespace {

using nlohmann::json;

// The bounds of [spc] baseline in the config file (app/config.cc).
constexpr int kMaxBaseline = 100000;

Error Invalid(const std::string& field, const std::string& message) {
  return Error{"invalid_field", field + ": " + message};
}

bool Set(const json& body, const char* field) {
  return body.contains(field) && !body[field].is_null();
}

Result<std::optional<int>> Baseline(const json& body) {
  if (!Set(body, "baseline")) return std::optional<int>();
  const json& v = body["baseline"];
  if (!v.is_number_integer() || v.get<int64_t>() < spc::ChartConfig::kMinBaseline ||
      v.get<int64_t>() > kMaxBaseline) {
    return Invalid("baseline", "an integer from " + std::to_string(spc::ChartConfig::kMinBaseline) +
                                   " to " + std::to_string(kMaxBaseline));
  }
  return std::optional<int>(v.get<int>());
}

Result<std::optional<spc::Transform>> TransformOf(const json& body, Metric metric) {
  if (!Set(body, "transform")) return std::optional<spc::Transform>();
  const json& v = body["transform"];
  const std::optional<spc::Transform> t =
      v.is_string() ? spc::ParseTransform(v.get<std::string>()) : std::nullopt;
  if (!t) return Invalid("transform", "\"log\" or \"none\"");
  // As in the file: only the latencies may be charted on the log scale.
  if (*t == spc::Transform::kLog && !MetricIsLatency(metric)) {
    return Invalid("transform", std::string(MetricName(metric)) +
                                    " is charted as it is (\"none\"); only e2e_ms, ttft_ms and "
                                    "tpot_ms take \"log\"");
  }
  return std::optional<spc::Transform>(t);
}

// The rules as a list, in FormatRuleList's form; their R1 σ multiple must be the file's.
Result<std::optional<std::string>> Rules(const json& body, const spc::RuleConfig& file) {
  if (!Set(body, "rules")) return std::optional<std::string>();
  const json& v = body["rules"];
  std::string list;
  if (v.is_string()) {
    list = v.get<std::string>();
  } else if (v.is_array()) {
    for (const json& name : v) {
      if (!name.is_string()) return Invalid("rules", "an array of rule names");
      list += (list.empty() ? "" : ",") + name.get<std::string>();
    }
  } else {
    return Invalid("rules", "a rule list such as \"R1,R2,R5\" or an array of names");
  }
  Result<spc::RuleConfig> rules = spc::ParseRuleList(list);
  if (!rules) return Invalid("rules", rules.error().message);
  if (rules->enabled == 0) return Invalid("rules", "name at least one rule");
  if (rules->r1_sigma != file.r1_sigma) {
    return Invalid("rules",
                   "R1's σ multiple is the k of the limits; an override keeps the "
                   "config's");
  }
  return std::optional<std::string>(spc::FormatRuleList(*rules));
}

Result<std::optional<double>> Budget(const json& body, const spc::AlarmBudget& file) {
  if (!Set(body, "false_alerts_per_30d")) return std::optional<double>();
  const json& v = body["false_alerts_per_30d"];
  spc::AlarmBudget budget = file;
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    return Invalid("false_alerts_per_30d", "a finite number above 0");
  }
  budget.false_alerts_per_30d = v.get<double>();
  if (Status s = spc::Validate(budget); !s) {
    return Invalid("false_alerts_per_30d", s.error().message);
  }
  return std::optional<double>(budget.false_alerts_per_30d);
}

}  // namespace

Result<SeriesOverrideEdit> ParseSeriesOverrideBody(std::string_view text, Metric metric,
                                                   const monitor::SeriesConfig& file) {
  const json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json",
                 "the body must be a JSON object {\"baseline\", \"transform\", \"rules\", "
                 "\"false_alerts_per_30d\"}"};
  }
  for (const auto& [field, value] : body.items()) {
    if (field != "baseline" && field != "transform" && field != "rules" &&
        field != "false_alerts_per_30d" && field != "version") {
      return Error{"unknown_field",
                   field + ": expected baseline, transform, rules, false_alerts_per_30d, version"};
    }
  }
  if (metric == Metric::kError) {
    return Invalid("metric", "the error series (a p-chart of calls) takes no overrides");
  }
  SeriesOverrideEdit edit;
  Result<std::optional<int>> baseline = Baseline(body);
  if (!baseline) return baseline.error();
  edit.fields.baseline = *baseline;
  Result<std::optional<spc::Transform>> transform = TransformOf(body, metric);
  if (!transform) return transform.error();
  edit.fields.transform = *transform;
  Result<std::optional<std::string>> rules = Rules(body, file.chart.rules);
  if (!rules) return rules.error();
  edit.fields.rules = *rules;
  Result<std::optional<double>> budget = Budget(body, file.alarm.budget);
  if (!budget) return budget.error();
  edit.fields.false_alerts_per_30d = *budget;
  if (Set(body, "version")) {
    const json& v = body["version"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      return Invalid("version", "the version the change was made against, an integer ≥ 1");
    }
    edit.version = v.get<int64_t>();
  }
  if (edit.fields.empty()) {
    return Error{"missing_field",
                 "baseline, transform, rules, false_alerts_per_30d: set at least one (DELETE "
                 "removes the override)"};
  }
  return edit;
}

std::string SeriesOverrideBody(const SeriesOverride& o) {
  json body = json::object();
  if (o.baseline) body["baseline"] = *o.baseline;
  if (o.transform) body["transform"] = std::string(spc::TransformName(*o.transform));
  if (o.rules) body["rules"] = *o.rules;
  if (o.false_alerts_per_30d) body["false_alerts_per_30d"] = *o.false_alerts_per_30d;
  return body.dump();
}

monitor::SeriesConfig ApplyOverride(const SeriesOverride& o, monitor::SeriesConfig file) {
  if (o.baseline) file.chart.baseline_size = *o.baseline;
  if (o.transform) file.chart.transform = *o.transform;
  // Checked when the override was parsed.
  if (o.rules) file.chart.rules = spc::ParseRuleList(*o.rules).value();
  if (o.false_alerts_per_30d) file.alarm.budget.false_alerts_per_30d = *o.false_alerts_per_30d;
  return file;
}

std::map<SeriesKey, monitor::SeriesConfig> SeriesConfigsOf(
    const std::vector<store::SettingRecord>& records,
    const std::function<monitor::SeriesConfig(Metric)>& file_config) {
  std::map<SeriesKey, monitor::SeriesConfig> configs;
  for (const store::SettingRecord& r : records) {
    const std::optional<SeriesKey> key = ParseSeriesSettingId(r.id);
    if (!key) continue;
    const monitor::SeriesConfig file = file_config(key->metric);
    Result<SeriesOverrideEdit> edit = ParseSeriesOverrideBody(r.body, key->metric, file);
    if (!edit) continue;
    monitor::SeriesConfig c = ApplyOverride(edit->fields, file);
    c.since_ms = r.updated_ms;
    configs.emplace(*key, c);
  }
  return configs;
}

}  // namespace llmscope::settings

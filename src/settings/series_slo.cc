#include "settings/series_slo.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace llmscope::settings {
namespace {

using nlohmann::json;

// One limit of the body: absent or null is none; else a finite number the transform can take.
Result<std::optional<double>> Limit(const json& body, const char* field, spc::Transform t) {
  if (!body.contains(field) || body[field].is_null()) return std::optional<double>();
  const json& v = body[field];
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    return Error{"invalid_field", std::string(field) + ": a finite number or null"};
  }
  const double x = v.get<double>();
  if (!spc::IsValidInput(t, x)) {
    return Error{"invalid_field",
                 std::string(field) + ": the series' log scale takes only values above 0"};
  }
  return std::optional<double>(x);
}

}  // namespace

std::string SeriesSettingId(const SeriesKey& key) {
  return json::array({key.source.provider, key.source.model, key.source.site,
                      key.source.profile, std::string(MetricName(key.metric))})
      .dump();
}

std::optional<SeriesKey> ParseSeriesSettingId(std::string_view id) {
  const json a = json::parse(id, nullptr, false);
  if (!a.is_array() || a.size() != 5) return std::nullopt;
  for (const json& part : a) {
    if (!part.is_string()) return std::nullopt;
  }
  const std::optional<Metric> metric = ParseMetric(a[4].get<std::string>());
  if (!metric) return std::nullopt;
  return SeriesKey{SourceKey{a[0].get<std::string>(), a[1].get<std::string>(),
                             a[2].get<std::string>(), a[3].get<std::string>()},
                   *metric};
}

Result<spc::SpecLimits> ParseSloBody(std::string_view text, spc::Transform transform) {
  const json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json", "the body must be a JSON object {\"usl\", \"lsl\"}"};
  }
  for (const auto& [field, value] : body.items()) {
    if (field != "usl" && field != "lsl") {
      return Error{"unknown_field", field + ": expected usl, lsl"};
    }
  }
  Result<std::optional<double>> usl = Limit(body, "usl", transform);
  if (!usl) return usl.error();
  Result<std::optional<double>> lsl = Limit(body, "lsl", transform);
  if (!lsl) return lsl.error();
  if (!*usl && !*lsl) return Error{"missing_field", "usl, lsl: give at least one limit"};
  if (*usl && *lsl && **lsl >= **usl) return Error{"invalid_field", "lsl: must be below usl"};
  return spc::SpecLimits{*usl, *lsl};
}

std::string SloBody(const spc::SpecLimits& slo) {
  return json{{"usl", slo.usl ? json(*slo.usl) : json(nullptr)},
              {"lsl", slo.lsl ? json(*slo.lsl) : json(nullptr)}}
      .dump();
}

std::map<SeriesKey, spc::SpecLimits> SlosOf(const std::vector<store::SettingRecord>& records) {
  std::map<SeriesKey, spc::SpecLimits> slos;
  for (const store::SettingRecord& r : records) {
    const std::optional<SeriesKey> key = ParseSeriesSettingId(r.id);
    Result<spc::SpecLimits> slo = ParseSloBody(r.body, spc::Transform::kNone);
    if (key && slo) slos.emplace(*key, *slo);
  }
  return slos;
}

}  // namespace llmscope::settings

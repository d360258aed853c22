#include "alert/alert_facts.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::ordered_json;

std::string Link(std::string_view public_url, int64_t id) {
  if (public_url.empty()) return "";
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/#/violations/" + std::to_string(id);
}

Json OptNumber(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? Json(*v) : Json(nullptr);
}

}  // namespace

AlertFacts FactsOfViolation(const store::ViolationRecord& v, store::DeliveryKind kind,
                            Severity severity, std::string_view public_url) {
  AlertFacts f;
  f.kind = kind;
  f.violation_id = v.id;
  f.series = v.series;
  f.rule = v.rule;
  f.severity = severity;
  f.stage = v.stage;
  f.count = v.count;
  f.value = v.value;
  f.worst_value = v.worst_value;
  f.deviation = v.deviation;
  f.limits = v.limits;
  f.first_time_ms = v.first_time_ms;
  f.last_time_ms = v.last_time_ms;
  f.event_time_ms = kind == store::DeliveryKind::kResolve ? v.status_time_ms : v.first_time_ms;
  if (kind == store::DeliveryKind::kResolve) f.resolved_by = v.status_by;
  f.link = Link(public_url, v.id);
  return f;
}

AlertFacts TestFacts(int64_t now_ms, std::string_view public_url) {
  AlertFacts f;
  f.kind = store::DeliveryKind::kTest;
  f.series = SeriesKey{SourceKey{"llmscope", "test-alert", "", ""}, Metric::kE2eMs};
  f.rule = spc::Rule::kR1;
  f.severity = Severity::kCritical;
  f.stage = 1;
  f.count = 1;
  f.value = f.worst_value = 1500;
  f.deviation = 4.5;
  f.limits.center = 500;
  f.limits.ucl = 1000;
  f.limits.lcl = 250;
  f.first_time_ms = f.last_time_ms = f.event_time_ms = now_ms;
  if (!public_url.empty()) {
    std::string base(public_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    f.link = base + "/";
  }
  return f;
}

std::string FactsToJson(const AlertFacts& f) {
  Json j{{"kind", store::DeliveryKindName(f.kind)},
         {"violation_id", f.violation_id},
         {"provider", f.series.source.provider},
         {"model", f.series.source.model},
         {"site", f.series.source.site},
         {"profile", f.series.source.profile},
         {"metric", MetricName(f.series.metric)},
         {"rule", spc::RuleName(f.rule)},
         {"severity", SeverityName(f.severity)},
         {"stage", f.stage},
         {"count", f.count},
         {"value", OptNumber(f.value)},
         {"worst_value", OptNumber(f.worst_value)},
         {"deviation_sigma", OptNumber(f.deviation)},
         {"center", OptNumber(f.limits.center)},
         {"ucl", OptNumber(f.limits.ucl)},
         {"lcl", OptNumber(f.limits.lcl)},
         {"first_time_ms", f.first_time_ms},
         {"last_time_ms", f.last_time_ms},
         {"event_time_ms", f.event_time_ms},
         {"resolved_by", f.resolved_by},
         {"link", f.link}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<AlertFacts> FactsFromJson(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  auto bad = [](const std::string& what) {
    return Error{"invalid_payload", "alert payload: " + what};
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  AlertFacts f;
  try {
    std::optional<store::DeliveryKind> kind =
        store::ParseDeliveryKind(j.at("kind").get<std::string>());
    std::optional<Metric> metric = ParseMetric(j.at("metric").get<std::string>());
    std::optional<spc::Rule> rule = spc::ParseRuleName(j.at("rule").get<std::string>());
    std::optional<Severity> severity = ParseSeverity(j.at("severity").get<std::string>());
    if (!kind || !metric || !rule || !severity)
      return bad("unknown kind, metric, rule or severity");
    auto number = [&j](const char* key) {
      const Json& v = j.at(key);
      return v.is_number() ? v.get<double>() : std::nan("");
    };
    f.kind = *kind;
    f.violation_id = j.at("violation_id").get<int64_t>();
    f.series =
        SeriesKey{SourceKey{j.at("provider").get<std::string>(), j.at("model").get<std::string>(),
                            j.at("site").get<std::string>(), j.at("profile").get<std::string>()},
                  *metric};
    f.rule = *rule;
    f.severity = *severity;
    f.stage = j.at("stage").get<int>();
    f.count = j.at("count").get<int64_t>();
    f.value = number("value");
    f.worst_value = number("worst_value");
    if (j.at("deviation_sigma").is_number()) f.deviation = j["deviation_sigma"].get<double>();
    f.limits.center = number("center");
    f.limits.ucl = number("ucl");
    f.limits.lcl = number("lcl");
    f.first_time_ms = j.at("first_time_ms").get<int64_t>();
    f.last_time_ms = j.at("last_time_ms").get<int64_t>();
    f.event_time_ms = j.at("event_time_ms").get<int64_t>();
    f.resolved_by = j.at("resolved_by").get<std::string>();
    f.link = j.at("link").get<std::string>();
  } catch (const Json::exception& e) {
    return bad(e.what());
  }
  return f;
}

std::string FormatMetricValue(Metric metric, double value) {
  if (!std::isfinite(value)) return "n/a";
  char buf[64];
  const double a = std::fabs(value);
  if (a >= 100 || a == 0) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else if (a >= 1) {
    std::snprintf(buf, sizeof buf, "%.1f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", value);
  }
  std::string out(buf);
  switch (metric) {
    case Metric::kE2eMs:
    case Metric::kTtftMs:
    case Metric::kTpotMs:
      return out + " ms";
    case Metric::kTokensPerS:
      return out + " tok/s";
    case Metric::kCostUsd:
      return out + " USD";
    case Metric::kError:
      return out;
  }
  return out;
}

std::string FormatDeviation(std::optional<double> deviation) {
  if (!deviation || !std::isfinite(*deviation)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f\xCF\x83", *deviation);  // σ in UTF-8
  return buf;
}

std::string Headline(const AlertFacts& f) {
  std::string out;
  if (f.kind == store::DeliveryKind::kResolve) out = "RESOLVED ";
  if (f.kind == store::DeliveryKind::kTest) out = "TEST ";
  std::string severity(SeverityName(f.severity));
  for (char& c : severity) c = static_cast<char>(c - 'a' + 'A');
  out += "[" + severity + "] " + std::string(spc::RuleName(f.rule)) + " on " + SeriesId(f.series) +
         ": " + FormatMetricValue(f.series.metric, f.worst_value) + " (" +
         FormatDeviation(f.deviation) + ")";
  return out;
}

}  // namespace llmscope::alert

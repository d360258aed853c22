#include "alert/alertmanager_alert.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace llmscope::alert {

std::string RenderAlertmanagerAlerts(const AlertFacts& f, int64_t firing_for_ms) {
  using Json = nlohmann::ordered_json;
  const Metric m = f.series.metric;
  const bool test = f.kind == store::DeliveryKind::kTest;
  Json labels{{"alertname", test ? "LLMscopeTest" : "LLMscopeViolation"},
              {"provider", f.series.source.provider},
              {"model", f.series.source.model},
              {"metric", MetricName(m)},
              {"rule", spc::RuleName(f.rule)},
              {"severity", SeverityName(f.severity)},
              {"violation_id",
               test ? "test-" + std::to_string(f.event_time_ms) : std::to_string(f.violation_id)}};
  if (!f.series.source.site.empty()) labels["site"] = f.series.source.site;
  if (!f.series.source.profile.empty()) labels["profile"] = f.series.source.profile;
  Json annotations{{"summary", Headline(f)},
                   {"description", std::string(spc::RuleName(f.rule)) + ": " +
                                       std::string(spc::RuleMeaning(f.rule))},
                   {"rule_meaning", spc::RuleMeaning(f.rule)},
                   {"value", FormatMetricValue(m, f.worst_value)},
                   {"deviation_sigma", FormatDeviation(f.deviation)},
                   {"center", FormatMetricValue(m, f.limits.center)},
                   {"ucl", FormatMetricValue(m, f.limits.ucl)},
                   {"lcl", FormatMetricValue(m, f.limits.lcl)}};
  if (!f.link.empty()) annotations["dashboard_url"] = f.link;
  // A test alert fires for five minutes only.
  const int64_t ends = f.kind == store::DeliveryKind::kResolve ? f.event_time_ms
                       : test                                  ? f.first_time_ms + 300000
                                                               : f.first_time_ms + firing_for_ms;
  Json alert{{"labels", labels},
             {"annotations", annotations},
             {"startsAt", FormatIsoUtc(f.first_time_ms)},
             {"endsAt", FormatIsoUtc(ends)}};
  if (!f.link.empty()) alert["generatorURL"] = f.link;
  return Json::array({alert}).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace llmscope::alert

#include "alert/pagerduty_event.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::ordered_json;

Json Num(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

}  // namespace

std::string PagerDutyDedupKey(const AlertFacts& f) {
  if (f.kind == store::DeliveryKind::kTest)
    return "llmscope-test-" + std::to_string(f.event_time_ms);
  return "llmscope-violation-" + std::to_string(f.violation_id);
}

std::string RenderPagerDutyEvent(const AlertFacts& f, const std::string& routing_key) {
  Json body{{"routing_key", routing_key},
            {"event_action", f.kind == store::DeliveryKind::kResolve ? "resolve" : "trigger"},
            {"dedup_key", PagerDutyDedupKey(f)}};
  if (f.kind != store::DeliveryKind::kResolve) {
    std::string summary = Headline(f);
    if (summary.size() > 1024) summary.resize(1024);  // the API's limit
    body["payload"] =
        Json{{"summary", summary},
             {"source", "llmscope:" + f.series.source.provider + "/" + f.series.source.model},
             {"severity", SeverityName(f.severity)},
             {"timestamp", FormatIsoUtc(f.event_time_ms)},
             {"component", f.series.source.model},
             {"group", f.series.source.provider},
             {"class", spc::RuleName(f.rule)},
             {"custom_details",
              {{"violation_id", f.violation_id},
               {"series", SeriesId(f.series)},
               {"rule_meaning", spc::RuleMeaning(f.rule)},
               {"value", Num(f.worst_value)},
               {"deviation_sigma", f.deviation ? Num(*f.deviation) : Json(nullptr)},
               {"center", Num(f.limits.center)},
               {"ucl", Num(f.limits.ucl)},
               {"lcl", Num(f.limits.lcl)},
               {"first_time", FormatIsoUtc(f.first_time_ms)}}}};
    body["client"] = "LLMscope";
    if (!f.link.empty()) {
      body["client_url"] = f.link;
      body["links"] = Json::array({Json{{"href", f.link}, {"text", "Violation in LLMscope"}}});
    }
  }
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace llmscope::alert

#include "alert/webhook_payload.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::ordered_json;

Json Num(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

const char* EventName(store::DeliveryKind k) {
  switch (k) {
    case store::DeliveryKind::kOpen:
      return "violation.opened";
    case store::DeliveryKind::kResolve:
      return "violation.resolved";
    case store::DeliveryKind::kTest:
      return "test";
  }
  return "test";
}

}  // namespace

std::string RenderWebhookPayload(const AlertFacts& f, const std::string& idempotency_key) {
  const bool resolved = f.kind == store::DeliveryKind::kResolve;
  Json violation{
      {"id", f.violation_id},
      {"provider", f.series.source.provider},
      {"model", f.series.source.model},
      {"site", f.series.source.site},
      {"profile", f.series.source.profile},
      {"metric", MetricName(f.series.metric)},
      {"rule", spc::RuleName(f.rule)},
      {"rule_meaning", spc::RuleMeaning(f.rule)},
      {"stage", f.stage},
      {"count", f.count},
      {"value", Num(f.value)},
      {"worst_value", Num(f.worst_value)},
      {"deviation_sigma", f.deviation ? Num(*f.deviation) : Json(nullptr)},
      {"limits",
       {{"center", Num(f.limits.center)}, {"ucl", Num(f.limits.ucl)}, {"lcl", Num(f.limits.lcl)}}},
      {"first_time", FormatIsoUtc(f.first_time_ms)},
      {"last_time", FormatIsoUtc(f.last_time_ms)},
      {"resolved_by", resolved ? Json(f.resolved_by) : Json(nullptr)},
      {"resolved_time", resolved ? Json(FormatIsoUtc(f.event_time_ms)) : Json(nullptr)}};
  Json body{{"version", 1},
            {"event", EventName(f.kind)},
            {"idempotency_key", idempotency_key},
            {"severity", SeverityName(f.severity)},
            {"summary", Headline(f)},
            {"url", f.link.empty() ? Json(nullptr) : Json(f.link)},
            {"violation", violation}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace llmscope::alert

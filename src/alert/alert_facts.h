// AlertFacts: what every sink says about one alert, taken from a violation when the alert is
// enqueued and kept, as JSON, in the outbox row (DeliveryRecord::payload_json). Sinks render
// their own wire format from it when they send, adding their secrets then, so the store never
// holds a secret. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alert/severity.h"
#include "core/result.h"
#include "core/sample.h"
#include "spc/rule.h"
#include "spc/stage.h"
#include "store/records.h"

namespace llmscope::alert {

struct AlertFacts {
  store::DeliveryKind kind = store::DeliveryKind::kOpen;
  int64_t violation_id = 0;  // 0 for a test alert
  SeriesKey series;
  spc::Rule rule = spc::Rule::kR1;
  Severity severity = Severity::kInfo;
  int stage = 0;
  int64_t count = 0;
  double value = 0, worst_value = 0;  // original unit
  std::optional<double> deviation;    // worst point, in σ̂; null on a degenerate stage
  spc::Limits limits;                 // original unit
  int64_t first_time_ms = 0, last_time_ms = 0;
  int64_t event_time_ms = 0;  // opened: first_time_ms; resolved: when; test: when sent
  std::string resolved_by;    // kResolve
  std::string link;           // <public_url>/#/violations/<id>; empty without a public_url
};

// The facts of an open or resolve alert of `v`. The link is empty when public_url is.
AlertFacts FactsOfViolation(const store::ViolationRecord& v, store::DeliveryKind kind,
                            Severity severity, std::string_view public_url);
// A test alert (`llmscope alert test`): an invented R1 violation of "llmscope/test-alert".
AlertFacts TestFacts(int64_t now_ms, std::string_view public_url);

std::string FactsToJson(const AlertFacts& facts);
// Errors: "invalid_payload" (not JSON, or a field missing or of the wrong type).
Result<AlertFacts> FactsFromJson(std::string_view json);

// --- Words shared by the renderers.

// A metric value with its unit: "1234 ms", "41.5 tok/s", "0.00123 USD".
std::string FormatMetricValue(Metric metric, double value);
// "+4.2σ"; "n/a" when unknown.
std::string FormatDeviation(std::optional<double> deviation);
// One line: "[CRITICAL] R1 on openai/gpt-4o/e2e_ms: 1234 ms (+4.2σ)" (the series as SeriesId
// writes it), prefixed "RESOLVED " or "TEST " for those kinds.
std::string Headline(const AlertFacts& facts);

}  // namespace llmscope::alert

// A violation and its alert facts, written out by hand, shared by the alert unit tests.
#pragma once

#include "alert/alert_facts.h"

namespace llmscope::alert::testing {

// R1 on openai/gpt-4o e2e_ms: first point 1800 ms, worst 2400 ms at +4.25σ; CL 800, UCL 1500,
// LCL 420 ms; first seen 2024-01-01T00:00:00Z (Monday).
inline store::ViolationRecord SampleViolation() {
  store::ViolationRecord v;
  v.id = 42;
  v.series = SeriesKey{SourceKey{"openai", "gpt-4o", "", ""}, Metric::kE2eMs};
  v.rule = spc::Rule::kR1;
  v.stage = 2;
  v.count = 3;
  v.value = 1800;
  v.worst_value = 2400;
  v.deviation = 4.25;
  v.limits.center = 800;
  v.limits.ucl = 1500;
  v.limits.lcl = 420;
  v.first_time_ms = 1704067200000;
  v.last_time_ms = 1704067204000;
  return v;
}

inline AlertFacts SampleFacts(store::DeliveryKind kind = store::DeliveryKind::kOpen) {
  store::ViolationRecord v = SampleViolation();
  if (kind == store::DeliveryKind::kResolve) {
    v.status = store::ViolationStatus::kResolved;
    v.status_by = "alice";
    v.status_time_ms = 1704070800000;  // 01:00:00Z
  }
  return FactsOfViolation(v, kind, Severity::kCritical, "https://scope.example.com/");
}

}  // namespace llmscope::alert::testing

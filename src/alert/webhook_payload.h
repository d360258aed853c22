// The generic webhook's JSON body (version 1), documented in llmscope.example.toml:
//   {"version": 1, "event": "violation.opened" | "violation.resolved" | "test",
//    "idempotency_key": "v42/ops-hook/open", "severity": "critical", "summary": <headline>,
//    "url": <dashboard link or null>,
//    "violation": {"id", "provider", "model", "site", "profile", "metric", "rule",
//                  "rule_meaning", "stage", "count", "value", "worst_value", "deviation_sigma",
//                  "limits": {"center", "ucl", "lcl"}, "first_time", "last_time",
//                  "resolved_by", "resolved_time"}}
// Pure. The HMAC signature of the body is added by the sender (alert/hmac).
#pragma once

#include <string>

#include "alert/alert_facts.h"

namespace llmscope::alert {

std::string RenderWebhookPayload(const AlertFacts& facts, const std::string& idempotency_key);

}  // namespace llmscope::alert

// The PagerDuty Events API v2 body (POST https://events.pagerduty.com/v2/enqueue): "trigger"
// when a violation opens (summary, source, severity, timestamp, component, group, class,
// custom_details, links), "resolve" when it is resolved; both with dedup_key
// "llmscope-violation-<id>" so PagerDuty folds repeats into one incident and the resolve closes
// it. A test alert triggers with dedup_key "llmscope-test-<time ms>". Pure; the routing key is
// handed in at send time and never stored.
#pragma once

#include <string>

#include "alert/alert_facts.h"

namespace llmscope::alert {

std::string PagerDutyDedupKey(const AlertFacts& facts);
std::string RenderPagerDutyEvent(const AlertFacts& facts, const std::string& routing_key);

}  // namespace llmscope::alert

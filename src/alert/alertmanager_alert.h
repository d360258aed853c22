// The body of Prometheus Alertmanager's API v2 `POST /api/v2/alerts`: a list of one alert with
// labels (alertname "LLMscopeViolation", provider, model, metric, rule, severity, violation_id,
// and site, profile when set), annotations (summary, description, rule_meaning, value,
// deviation_sigma, center, ucl, lcl, dashboard_url), startsAt (the violation's first point),
// endsAt (resolve: when it was resolved; open: startsAt + firing_for, so Alertmanager does not
// resolve it on its own after its resolve_timeout; a test alert: startsAt + 5 min) and generatorURL
// (the dashboard link). Pure.
#pragma once

#include <cstdint>
#include <string>

#include "alert/alert_facts.h"

namespace llmscope::alert {

inline constexpr const char* kAlertmanagerAlertsPath = "/api/v2/alerts";

std::string RenderAlertmanagerAlerts(const AlertFacts& facts, int64_t firing_for_ms);

}  // namespace llmscope::alert

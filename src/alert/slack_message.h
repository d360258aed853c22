// The Slack incoming-webhook message of an alert: a fallback `text` and Block Kit `blocks` with
// the series, the rule and its meaning, the value, the deviation in σ, the limits and a link to
// the violation in the dashboard. Pure.
#pragma once

#include <string>
#include <string_view>

#include "alert/alert_facts.h"

namespace llmscope::alert {

// Escapes &, < and > as Slack's mrkdwn requires.
std::string SlackEscape(std::string_view text);

// The JSON body to POST to the webhook URL.
std::string RenderSlackMessage(const AlertFacts& facts);

}  // namespace llmscope::alert

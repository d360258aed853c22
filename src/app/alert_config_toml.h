// The [alerts] section of the TOML config → alert::AlertConfig (shape in
// llmscope.example.toml): [[alerts.sinks]], [[alerts.routes]], [[alerts.mute]], severity
// overrides and the retry policy. Errors "config_value" name the key, e.g.
// "alerts.routes[0].match.rule: unknown rule 'R9'"; they never quote a secret (secrets are only
// ever named by *_env keys, and read from the environment when the sinks are made).
#pragma once

#include <toml++/toml.h>

#include "alert/alert_config.h"
#include "core/result.h"

namespace llmscope::app {

Status ParseAlertsSection(const toml::node& node, alert::AlertConfig& out);

}  // namespace llmscope::app

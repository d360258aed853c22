// Routing and muting: which sinks an alert goes to, and whether a silence
// or a mute window holds it back. Pure: the time is an argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_config.h"
#include "alert/alert_facts.h"
#include "store/records.h"

namespace llmscope::alert {

// Whether `match` covers the alert (every non-empty list holds the alert's value).
bool Matches(const AlertMatch& match, const AlertFacts& facts);

// The sinks of every route that matches, in config order, each once.
std::vector<std::string> RouteSinks(const std::vector<RouteConfig>& routes,
                                    const AlertFacts& facts);

// Whether the mute window is on at `now_ms` (UTC), whatever it matches.
bool MuteWindowActive(const MuteWindow& window, int64_t now_ms);

// Whether the silence covers the alert at `now_ms`: starts_ms ≤ now < ends_ms and each non-empty
// field equal to the alert's (rule by name, e.g. "R1").
bool SilenceCovers(const store::SilenceRecord& silence, const AlertFacts& facts, int64_t now_ms);

// Why the alert is held back at `now_ms`: "silenced by silence 7 (deploy)" or "muted by mute
// window 'nights'"; nullopt when nothing holds it.
std::optional<std::string> HeldBack(const AlertFacts& facts,
                                    const std::vector<store::SilenceRecord>& silences,
                                    const std::vector<MuteWindow>& mutes, int64_t now_ms);

}  // namespace llmscope::alert

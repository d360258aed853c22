// How urgent a violation is, per rule. Defaults (docs/spc.md §9): the alarm detectors
// decide what reaches a person: JUMP and ERRORS critical, SHIFT warning; every chart rule
// (R1–R8, EWMA, CUSUM) is an `info` signal, shown on the chart and in the log but not sent (their
// false-alarm rate on a 2 s series is one every few minutes, by design). The config may override
// any rule's severity. Pure.
#pragma once

#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "spc/rule.h"

namespace llmscope::alert {

enum class Severity : uint8_t { kInfo, kWarning, kCritical };

// "info", "warning", "critical".
std::string_view SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view name);

using SeverityOverrides = std::map<spc::Rule, Severity>;

// The rule's severity: the override when there is one, else the default above.
Severity SeverityOf(spc::Rule rule, const SeverityOverrides& overrides = {});

// The rules whose severity is in `wanted` (for a store query by severity).
std::vector<spc::Rule> RulesOfSeverity(const std::vector<Severity>& wanted,
                                       const SeverityOverrides& overrides);

}  // namespace llmscope::alert

// How urgent a violation is, per rule. Defaults (issue 6): R1 critical; R2, R3, R5 warning; the
// other rules info. The config may override any rule's severity. Pure.
#pragma once

#include <map>
#include <optional>
#include <string_view>

#include "spc/rule.h"

namespace llmscope::alert {

enum class Severity : uint8_t { kInfo, kWarning, kCritical };

// "info", "warning", "critical".
std::string_view SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view name);

using SeverityOverrides = std::map<spc::Rule, Severity>;

// The rule's severity: the override when there is one, else the default above.
Severity SeverityOf(spc::Rule rule, const SeverityOverrides& overrides = {});

}  // namespace llmscope::alert

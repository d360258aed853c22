#include "alert/severity.h"

namespace llmscope::alert {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (name == "info") return Severity::kInfo;
  if (name == "warning") return Severity::kWarning;
  if (name == "critical") return Severity::kCritical;
  return std::nullopt;
}

Severity SeverityOf(spc::Rule rule, const SeverityOverrides& overrides) {
  if (auto it = overrides.find(rule); it != overrides.end()) return it->second;
  switch (rule) {
    case spc::Rule::kJump:
    case spc::Rule::kErrors:
      return Severity::kCritical;
    case spc::Rule::kShift:
      return Severity::kWarning;
    default:
      return Severity::kInfo;
  }
}

std::vector<spc::Rule> RulesOfSeverity(const std::vector<Severity>& wanted,
                                       const SeverityOverrides& overrides) {
  std::vector<spc::Rule> out;
  for (int i = 0; i < spc::kRuleCount; ++i) {
    const auto rule = static_cast<spc::Rule>(i);
    for (Severity s : wanted) {
      if (SeverityOf(rule, overrides) == s) {
        out.push_back(rule);
        break;
      }
    }
  }
  return out;
}

}  // namespace llmscope::alert

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
    case spc::Rule::kR1:
      return Severity::kCritical;
    case spc::Rule::kR2:
    case spc::Rule::kR3:
    case spc::Rule::kR5:
      return Severity::kWarning;
    default:
      return Severity::kInfo;
  }
}

}  // namespace llmscope::alert

#include "store/records.h"

namespace llmscope::store {

std::string_view ViolationStatusName(ViolationStatus s) {
  switch (s) {
    case ViolationStatus::kOpen: return "open";
    case ViolationStatus::kAcknowledged: return "acknowledged";
    case ViolationStatus::kResolved: return "resolved";
  }
  return "open";
}

std::optional<ViolationStatus> ParseViolationStatus(std::string_view name) {
  if (name == "open") return ViolationStatus::kOpen;
  if (name == "acknowledged") return ViolationStatus::kAcknowledged;
  if (name == "resolved") return ViolationStatus::kResolved;
  return std::nullopt;
}

}  // namespace llmscope::store

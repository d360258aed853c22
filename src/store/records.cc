#include "store/records.h"

namespace llmscope::store {

std::string_view ViolationStatusName(ViolationStatus s) {
  switch (s) {
    case ViolationStatus::kOpen:
      return "open";
    case ViolationStatus::kAcknowledged:
      return "acknowledged";
    case ViolationStatus::kResolved:
      return "resolved";
  }
  return "open";
}

std::optional<ViolationStatus> ParseViolationStatus(std::string_view name) {
  if (name == "open") return ViolationStatus::kOpen;
  if (name == "acknowledged") return ViolationStatus::kAcknowledged;
  if (name == "resolved") return ViolationStatus::kResolved;
  return std::nullopt;
}

std::string_view DeliveryKindName(DeliveryKind k) {
  switch (k) {
    case DeliveryKind::kOpen:
      return "open";
    case DeliveryKind::kResolve:
      return "resolve";
    case DeliveryKind::kTest:
      return "test";
  }
  return "open";
}

std::optional<DeliveryKind> ParseDeliveryKind(std::string_view name) {
  if (name == "open") return DeliveryKind::kOpen;
  if (name == "resolve") return DeliveryKind::kResolve;
  if (name == "test") return DeliveryKind::kTest;
  return std::nullopt;
}

std::string_view DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kSuppressed:
      return "suppressed";
  }
  return "pending";
}

std::optional<DeliveryState> ParseDeliveryState(std::string_view name) {
  if (name == "pending") return DeliveryState::kPending;
  if (name == "delivered") return DeliveryState::kDelivered;
  if (name == "failed") return DeliveryState::kFailed;
  if (name == "suppressed") return DeliveryState::kSuppressed;
  return std::nullopt;
}

}  // namespace llmscope::store

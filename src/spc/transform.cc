#include "spc/transform.h"

namespace llmscope::spc {

std::optional<Transform> ParseTransform(std::string_view name) {
  if (name == "none") return Transform::kNone;
  if (name == "log") return Transform::kLog;
  return std::nullopt;
}

std::string_view TransformName(Transform t) { return t == Transform::kLog ? "log" : "none"; }

}  // namespace llmscope::spc

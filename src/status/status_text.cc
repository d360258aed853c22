#include "status/status_text.h"

#include <cmath>
#include <cstdio>

namespace llmscope::status {
namespace {

constexpr const char* kGreen = "#009e73";
constexpr const char* kMuted = "#9aa4b1";
constexpr const char* kOrange = "#e69f00";
constexpr const char* kVermilion = "#d55e00";
constexpr const char* kGrey = "#5b6470";
constexpr const char* kEmpty = "#2a313b";

}  // namespace

const char* SourceStateColour(SourceState s) {
  switch (s) {
    case SourceState::kInControl:
      return kGreen;
    case SourceState::kLearning:
      return kMuted;
    case SourceState::kDegraded:
      return kOrange;
    case SourceState::kViolation:
      return kVermilion;
    case SourceState::kSilent:
      return kGrey;
  }
  return kGrey;
}

const char* DayStateColour(DayState s) {
  switch (s) {
    case DayState::kNoData:
      return kEmpty;
    case DayState::kInControl:
      return kGreen;
    case DayState::kWarning:
      return kOrange;
    case DayState::kCritical:
      return kVermilion;
  }
  return kEmpty;
}

std::string FormatLatency(double ms) {
  char text[32];
  if (!std::isfinite(ms)) return "n/a";
  if (ms < 999.5) {
    std::snprintf(text, sizeof text, "%.0f ms", ms);
  } else if (ms < 9950) {
    std::snprintf(text, sizeof text, "%.1f s", ms / 1000);
  } else {
    std::snprintf(text, sizeof text, "%.0f s", ms / 1000);
  }
  return text;
}

}  // namespace llmscope::status

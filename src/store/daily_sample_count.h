// How many samples, and how many failed calls among them, one source has in one UTC day: what
// Store::CountSamplesByDay answers, for the status page's strip of daily states (docs/design.md
// "Status page"). A day is numbered from the Unix epoch: day d covers
// [d × kDayMs, (d + 1) × kDayMs) of time_ms, UTC.
#pragma once

#include <cstdint>

#include "core/sample.h"

namespace llmscope::store {

inline constexpr int64_t kDayMs = 86'400'000;

// The UTC day number of a time at or after the epoch.
constexpr int64_t UtcDayOf(int64_t time_ms) {
  return time_ms / kDayMs;
}

struct DailySampleCount {
  SourceKey source;
  int64_t day = 0;      // UtcDayOf(time_ms) of the samples counted
  int64_t samples = 0;  // at least 1: days without samples have no row
  int64_t errors = 0;   // samples of failed calls
};

}  // namespace llmscope::store

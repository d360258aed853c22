// Clock: where a component reads the time, so that tests can run it at a time they choose. A
// Clock returns the current time as UTC milliseconds since the Unix epoch (the unit of
// Sample::time_ms). SystemClock() reads the system's real-time clock and may be called from any
// thread; a Clock given to a threaded component must be callable from any thread as well.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace llmscope {

using Clock = std::function<int64_t()>;

// The system's real-time clock now, in Unix milliseconds.
inline int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline Clock SystemClock() {
  return SystemNowMs;
}

}  // namespace llmscope

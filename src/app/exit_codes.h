// Exit codes of the llmscope command, documented in README.md ("Exit codes").
#pragma once

namespace llmscope::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolations = 1;   // analyze --fail-on-violation found a monitoring firing
inline constexpr int kExitUsage = 2;        // bad command line: unknown option, rule, transform...
inline constexpr int kExitUnreadable = 3;   // input file missing or unreadable
inline constexpr int kExitBadData = 4;      // a cell that is not a number, a value ≤ 0 under log...
inline constexpr int kExitTooFewPoints = 5; // fewer points than the baseline needs
inline constexpr int kExitRuntime = 6;      // serve/probe: could not start or failed while running

}  // namespace llmscope::app

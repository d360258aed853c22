// When to try a failed delivery again: exponential backoff with jitter,
// capped, and a receiver's Retry-After honoured. Pure: the random draw and the time are
// arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace llmscope::alert {

struct BackoffPolicy {
  int64_t base_ms = 2000;   // the delay after the first failed attempt, before jitter
  int64_t cap_ms = 600000;  // no delay exceeds this
};

// The delay after failed attempt number `attempt` (1 = the first): d = min(cap,
// base·2^(attempt−1)), then "equal jitter": d/2 + u·d/2 with u in [0, 1) drawn by the caller, so
// delays spread between half and all of d and never collapse to zero.
int64_t BackoffDelayMs(const BackoffPolicy& policy, int attempt, double u);

// A Retry-After header value as a delay from `now_ms`: delta-seconds ("120") or an HTTP date
// ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 IMF-fixdate). A date in the past is 0. nullopt when
// the text is neither.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, int64_t now_ms);

// The next attempt's time: now + the backoff delay, or now + Retry-After (capped at
// retry_after_cap_ms) when the receiver gave one and it is later.
int64_t NextAttemptMs(const BackoffPolicy& policy, int attempt, double u, int64_t now_ms,
                      std::optional<int64_t> retry_after_ms, int64_t retry_after_cap_ms);

}  // namespace llmscope::alert

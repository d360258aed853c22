// A token bucket: the rate limit of one sink. Holds up to
// `capacity` tokens, refilled continuously at `per_minute`; each alert sent takes one. The time
// is handed in (milliseconds on any monotonic clock), so the bucket is pure. Not thread-safe.
#pragma once

#include <cstdint>

namespace llmscope::alert {

class TokenBucket {
 public:
  // Starts full at `now_ms`. per_minute ≤ 0: no limit (TryTake always succeeds).
  TokenBucket(double per_minute, int capacity, int64_t now_ms);

  // Takes one token if there is one at `now_ms`. Times earlier than the last seen are treated
  // as the last seen.
  bool TryTake(int64_t now_ms);
  // Tokens available at `now_ms` (fractional).
  double Available(int64_t now_ms);

 private:
  void Refill(int64_t now_ms);

  double per_ms_;
  double capacity_;
  double tokens_;
  int64_t last_ms_;
};

}  // namespace llmscope::alert

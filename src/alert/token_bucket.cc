#include "alert/token_bucket.h"

#include <algorithm>

namespace llmscope::alert {

TokenBucket::TokenBucket(double per_minute, int capacity, int64_t now_ms)
    : per_ms_(per_minute / 60000.0),
      capacity_(static_cast<double>(std::max(capacity, 1))),
      tokens_(capacity_),
      last_ms_(now_ms) {}

void TokenBucket::Refill(int64_t now_ms) {
  if (now_ms <= last_ms_) return;
  tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * per_ms_);
  last_ms_ = now_ms;
}

bool TokenBucket::TryTake(int64_t now_ms) {
  if (per_ms_ <= 0) return true;
  Refill(now_ms);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

double TokenBucket::Available(int64_t now_ms) {
  Refill(now_ms);
  return tokens_;
}

}  // namespace llmscope::alert

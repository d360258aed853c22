#include "alert/retry_policy.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/time_format.h"

namespace llmscope::alert {

int64_t BackoffDelayMs(const BackoffPolicy& p, int attempt, double u) {
  int64_t d = p.base_ms;
  for (int i = 1; i < attempt && d < p.cap_ms; ++i) d *= 2;
  d = std::min(d, p.cap_ms);
  u = std::clamp(u, 0.0, 1.0);
  const int64_t half = d / 2;
  return half + static_cast<int64_t>(u * static_cast<double>(d - half));
}

std::optional<int64_t> ParseRetryAfterMs(std::string_view v, int64_t now_ms) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  if (v.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t seconds = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc() || seconds > 100LL * 365 * 86400) return std::nullopt;
    return seconds * 1000;
  }
  std::optional<int64_t> at = ParseHttpDate(v);
  if (!at) return std::nullopt;
  return std::max<int64_t>(0, *at - now_ms);
}

int64_t NextAttemptMs(const BackoffPolicy& p, int attempt, double u, int64_t now_ms,
                      std::optional<int64_t> retry_after_ms, int64_t retry_after_cap_ms) {
  int64_t delay = BackoffDelayMs(p, attempt, u);
  if (retry_after_ms) delay = std::max(delay, std::min(*retry_after_ms, retry_after_cap_ms));
  return now_ms + delay;
}

}  // namespace llmscope::alert

#include "alert/retry_policy.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace llmscope::alert {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int> Digits(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" → ms since the epoch.
std::optional<int64_t> ParseImfFixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT") {
    return std::nullopt;
  }
  std::optional<int> day = Digits(s.substr(5, 2)), year = Digits(s.substr(12, 4)),
                     hour = Digits(s.substr(17, 2)), minute = Digits(s.substr(20, 2)),
                     second = Digits(s.substr(23, 2));
  const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (!day || !year || !hour || !minute || !second || month == kMonths.end()) return std::nullopt;
  if (*day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const int64_t days = DaysFromCivil(*year, static_cast<unsigned>(month - kMonths.begin() + 1),
                                     static_cast<unsigned>(*day));
  return ((days * 24 + *hour) * 60 + *minute) * 60000 + int64_t{*second} * 1000;
}

}  // namespace

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
  std::optional<int64_t> at = ParseImfFixdate(v);
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

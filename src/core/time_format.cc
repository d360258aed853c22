#include "core/time_format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace llmscope {
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

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool IsLeap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// A whole number filling all of `s`.
std::optional<int> WholeNumber(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

void AppendIsoUtc(std::string& out, int64_t time_ms) {
  int64_t days = time_ms / 86400000;
  int64_t rem = time_ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  if (y < 0 || y > 9999) {  // outside what four digits show: the slow, general path
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600000),
                  static_cast<long long>(rem / 60000 % 60), static_cast<long long>(rem / 1000 % 60),
                  static_cast<long long>(rem % 1000));
    out += buf;
    return;
  }
  char buf[24];
  auto put = [&buf](int at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10)
      buf[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600000, 2);
  buf[13] = ':';
  put(14, rem / 60000 % 60, 2);
  buf[16] = ':';
  put(17, rem / 1000 % 60, 2);
  buf[19] = '.';
  put(20, rem % 1000, 3);
  buf[23] = 'Z';
  out.append(buf, 24);
}

std::string FormatIsoUtc(int64_t time_ms) {
  std::string out;
  AppendIsoUtc(out, time_ms);
  return out;
}

std::optional<int64_t> ParseIsoUtc(std::string_view s) {
  int year, month, day;
  if (!Digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 ||
      day > kMonthDays[month - 1] + (month == 2 && IsLeap(year))) {
    return std::nullopt;
  }
  int64_t ms =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400000;
  if (s.size() == 10) return ms;
  int hour, minute, second;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !Digits(s, 11, 2, hour) || s.size() < 19 ||
      s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  ms += (hour * 3600 + minute * 60 + second) * 1000LL;
  size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int64_t frac_ms = 0, scale = 100;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    ms += frac_ms;
  }
  if (pos == s.size()) return ms;
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return ms;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int sign = s[pos] == '+' ? 1 : -1;
  int oh, om;
  if (!Digits(s, pos + 1, 2, oh)) return std::nullopt;
  size_t mpos = pos + 3;
  if (mpos < s.size() && s[mpos] == ':') ++mpos;
  if (!Digits(s, mpos, 2, om) || mpos + 2 != s.size() || oh > 23 || om > 59) return std::nullopt;
  return ms - static_cast<int64_t>(sign) * (oh * 3600 + om * 60) * 1000;
}

std::optional<int64_t> ParseHttpDate(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT") {
    return std::nullopt;
  }
  std::optional<int> day = WholeNumber(s.substr(5, 2)), year = WholeNumber(s.substr(12, 4)),
                     hour = WholeNumber(s.substr(17, 2)), minute = WholeNumber(s.substr(20, 2)),
                     second = WholeNumber(s.substr(23, 2));
  const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (!day || !year || !hour || !minute || !second || month == kMonths.end()) return std::nullopt;
  if (*day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const int64_t days = DaysFromCivil(*year, static_cast<unsigned>(month - kMonths.begin() + 1),
                                     static_cast<unsigned>(*day));
  return ((days * 24 + *hour) * 60 + *minute) * 60000 + int64_t{*second} * 1000;
}

}  // namespace llmscope

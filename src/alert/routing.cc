#include "alert/routing.h"

#include <algorithm>

namespace llmscope::alert {
namespace {

template <typename T>
bool AnyOf(const std::vector<T>& allowed, const T& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kMinuteMs = 60000;

// 0 = Monday .. 6 = Sunday of the UTC day that holds `ms`. 1970-01-01 was a Thursday (3).
int Weekday(int64_t day_number) {
  return static_cast<int>(((day_number % 7) + 7 + 3) % 7);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

bool Matches(const AlertMatch& m, const AlertFacts& f) {
  return AnyOf(m.providers, f.series.source.provider) && AnyOf(m.models, f.series.source.model) &&
         AnyOf(m.metrics, f.series.metric) && AnyOf(m.rules, f.rule) &&
         AnyOf(m.severities, f.severity);
}

std::vector<std::string> RouteSinks(const std::vector<RouteConfig>& routes, const AlertFacts& f) {
  std::vector<std::string> out;
  for (const RouteConfig& r : routes) {
    if (!Matches(r.match, f)) continue;
    for (const std::string& sink : r.sinks) {
      if (std::find(out.begin(), out.end(), sink) == out.end()) out.push_back(sink);
    }
  }
  return out;
}

bool MuteWindowActive(const MuteWindow& w, int64_t now_ms) {
  if (w.start_ms && w.end_ms) return *w.start_ms <= now_ms && now_ms < *w.end_ms;
  const int64_t day = FloorDiv(now_ms, kDayMs);
  const int minute = static_cast<int>((now_ms - day * kDayMs) / kMinuteMs);
  auto on_day = [&w](int64_t d) { return (w.days >> Weekday(d)) & 1; };
  if (w.start_minute == w.end_minute) return on_day(day);
  if (w.start_minute < w.end_minute) {
    return on_day(day) && minute >= w.start_minute && minute < w.end_minute;
  }
  // Wraps past midnight: the evening part belongs to today, the morning part to yesterday.
  if (minute >= w.start_minute) return on_day(day);
  if (minute < w.end_minute) return on_day(day - 1);
  return false;
}

bool SilenceCovers(const store::SilenceRecord& s, const AlertFacts& f, int64_t now_ms) {
  if (now_ms < s.starts_ms || now_ms >= s.ends_ms) return false;
  return (s.provider.empty() || s.provider == f.series.source.provider) &&
         (s.model.empty() || s.model == f.series.source.model) &&
         (s.metric.empty() || s.metric == MetricName(f.series.metric)) &&
         (s.rule.empty() || spc::ParseRuleName(s.rule) == f.rule);
}

std::optional<std::string> HeldBack(const AlertFacts& f,
                                    const std::vector<store::SilenceRecord>& silences,
                                    const std::vector<MuteWindow>& mutes, int64_t now_ms) {
  for (const store::SilenceRecord& s : silences) {
    if (!SilenceCovers(s, f, now_ms)) continue;
    std::string why = "silenced by silence " + std::to_string(s.id);
    if (!s.comment.empty()) why += " (" + s.comment.substr(0, 200) + ")";
    return why;
  }
  for (const MuteWindow& m : mutes) {
    if (Matches(m.match, f) && MuteWindowActive(m, now_ms)) {
      return "muted by mute window '" + m.name + "'";
    }
  }
  return std::nullopt;
}

}  // namespace llmscope::alert

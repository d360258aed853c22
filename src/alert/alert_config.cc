#include "alert/alert_config.h"

#include <charconv>
#include <cstdio>
#include <set>

namespace llmscope::alert {
namespace {

Error Bad(const std::string& key, const std::string& what) {
  return Error{"config_value", key + ": " + what};
}

}  // namespace

bool ValidItemName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

namespace {

bool HttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}
bool SmtpUrl(const std::string& url) {
  return url.rfind("smtp://", 0) == 0 || url.rfind("smtps://", 0) == 0;
}

// "alerts.sinks[0]" + "url" → "alerts.sinks[0].url"; "" + "url" → "url".
std::string Field(const std::string& key, const std::string& name) {
  return key.empty() ? name : key + "." + name;
}

}  // namespace

Status ValidateSink(const SinkConfig& s, const std::string& key, const StoredSecrets& stored) {
  if (!ValidItemName(s.name))
    return Bad(Field(key, "name"), "1..64 characters of A-Z a-z 0-9 _ - .");
  if (!s.url.empty() && !s.url_env.empty()) {
    return Bad(Field(key, "url"), "give url or url_env, not both");
  }
  const bool needs_url = s.type != SinkType::kPagerDuty;
  if (needs_url && s.url.empty() && s.url_env.empty() && !stored.url)
    return Bad(Field(key, "url"), "required (or url_env)");
  // A url given in the file is checked now; one from url_env when it is read.
  if (!s.url.empty()) {
    if (s.type == SinkType::kEmail ? !SmtpUrl(s.url) : !HttpUrl(s.url)) {
      return Bad(Field(key, "url"), s.type == SinkType::kEmail
                                        ? "must start with smtp:// or smtps://"
                                        : "must start with http:// or https://");
    }
  }
  if (s.type == SinkType::kPagerDuty && s.routing_key_env.empty() && !stored.routing_key) {
    return Bad(Field(key, "routing_key_env"), "required for a pagerduty sink (or routing_key)");
  }
  if (s.type == SinkType::kEmail) {
    if (s.from.empty()) return Bad(Field(key, "from"), "required for an email sink");
    if (s.to.empty()) {
      return Bad(Field(key, "to"), "required for an email sink (a list of addresses)");
    }
    if (s.from.find('@') == std::string::npos) {
      return Bad(Field(key, "from"), "not an e-mail address");
    }
    for (const std::string& a : s.to) {
      if (a.find('@') == std::string::npos || a.find_first_of("\r\n<>") != std::string::npos) {
        return Bad(Field(key, "to"), "'" + a + "' is not an e-mail address");
      }
    }
    if (s.from.find_first_of("\r\n") != std::string::npos)
      return Bad(Field(key, "from"), "one line");
    if ((!s.password_env.empty() || stored.password) && s.username.empty()) {
      return Bad(Field(key, "username"), "required with a password");
    }
  }
  if (!(s.timeout_s > 0 && s.timeout_s <= 600))
    return Bad(Field(key, "timeout_s"), "must be in (0, 600]");
  if (!(s.rate_per_minute >= 0 && s.rate_per_minute <= 60000)) {
    return Bad(Field(key, "rate_per_minute"), "must be within 0..60000");
  }
  if (s.burst < 1 || s.burst > 10000) return Bad(Field(key, "burst"), "must be within 1..10000");
  if (s.firing_for_s < 60) return Bad(Field(key, "firing_for_s"), "must be at least 60");
  return {};
}

Status ValidateMute(const MuteWindow& m, const std::string& key) {
  if (m.start_ms.has_value() != m.end_ms.has_value()) {
    return Bad(Field(key, m.start_ms ? "end" : "start"), "give both start and end");
  }
  if (m.start_ms) {
    if (*m.start_ms >= *m.end_ms) return Bad(Field(key, "end"), "start must be before end");
  } else {
    if (m.days == 0) return Bad(Field(key, "days"), "give start and end, or days with from and to");
    if (m.start_minute < 0 || m.start_minute >= 1440 || m.end_minute < 0 || m.end_minute >= 1440) {
      return Bad(Field(key, "from"), "from and to must be times of day, HH:MM");
    }
  }
  return {};
}

std::string_view SinkTypeName(SinkType t) {
  switch (t) {
    case SinkType::kSlack:
      return "slack";
    case SinkType::kEmail:
      return "email";
    case SinkType::kWebhook:
      return "webhook";
    case SinkType::kPagerDuty:
      return "pagerduty";
    case SinkType::kAlertmanager:
      return "alertmanager";
  }
  return "webhook";
}

std::optional<SinkType> ParseSinkType(std::string_view name) {
  for (SinkType t : {SinkType::kSlack, SinkType::kEmail, SinkType::kWebhook, SinkType::kPagerDuty,
                     SinkType::kAlertmanager}) {
    if (SinkTypeName(t) == name) return t;
  }
  return std::nullopt;
}

namespace {
constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
}  // namespace

std::optional<int> DayBit(std::string_view day) {
  for (int i = 0; i < 7; ++i) {
    if (day == kDays[i]) return i;
  }
  return std::nullopt;
}

std::string_view DayName(int bit) {
  return bit >= 0 && bit < 7 ? kDays[bit] : std::string_view();
}

std::optional<int> MinuteOfDay(std::string_view hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') return std::nullopt;
  int h = 0, m = 0;
  auto [p1, e1] = std::from_chars(hhmm.data(), hhmm.data() + 2, h);
  auto [p2, e2] = std::from_chars(hhmm.data() + 3, hhmm.data() + 5, m);
  if (e1 != std::errc() || e2 != std::errc() || p1 != hhmm.data() + 2 || p2 != hhmm.data() + 5 ||
      h > 23 || m > 59) {
    return std::nullopt;
  }
  return h * 60 + m;
}

std::string TimeOfDay(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60 % 24, minute % 60);
  return buf;
}

const SinkConfig* AlertConfig::FindSink(std::string_view name) const {
  for (const SinkConfig& s : sinks) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status Validate(const AlertConfig& c) {
  std::set<std::string> names;
  for (size_t i = 0; i < c.sinks.size(); ++i) {
    const std::string key = "alerts.sinks[" + std::to_string(i) + "]";
    if (Status s = ValidateSink(c.sinks[i], key); !s) return s;
    if (!names.insert(c.sinks[i].name).second) {
      return Bad(key + ".name", "'" + c.sinks[i].name + "' is used by another sink");
    }
  }
  for (size_t i = 0; i < c.routes.size(); ++i) {
    const std::string key = "alerts.routes[" + std::to_string(i) + "].sinks";
    if (c.routes[i].sinks.empty()) return Bad(key, "name at least one sink");
    for (const std::string& name : c.routes[i].sinks) {
      if (!names.count(name)) return Bad(key, "no sink is named '" + name + "'");
    }
  }
  for (size_t i = 0; i < c.mutes.size(); ++i) {
    if (Status s = ValidateMute(c.mutes[i], "alerts.mute[" + std::to_string(i) + "]"); !s) return s;
  }
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 &&
      c.public_url.rfind("https://", 0) != 0) {
    return Bad("alerts.public_url", "must start with http:// or https://");
  }
  if (c.max_attempts < 1 || c.max_attempts > 1000)
    return Bad("alerts.max_attempts", "must be within 1..1000");
  if (c.backoff_base_ms < 10 || c.backoff_cap_ms < c.backoff_base_ms) {
    return Bad("alerts.backoff", "need 10 ms <= base <= cap");
  }
  if (c.senders < 1 || c.senders > 64) return Bad("alerts.senders", "must be within 1..64");
  return {};
}

Result<SinkSecrets> ResolveSinkSecrets(const SinkConfig& sink, const EnvLookup& env) {
  const std::string key = "alerts.sinks." + sink.name;
  auto read = [&](const std::string& var, const char* field) -> Result<std::string> {
    std::optional<std::string> v = env(var);
    if (!v || v->empty()) {
      return Bad(key + "." + field, "the environment variable " + var + " is not set");
    }
    return *v;
  };
  SinkSecrets out;
  out.url = sink.url;
  if (!sink.url_env.empty()) {
    Result<std::string> url = read(sink.url_env, "url_env");
    if (!url) return url.error();
    out.url = *url;
    const bool ok = sink.type == SinkType::kEmail ? SmtpUrl(out.url) : HttpUrl(out.url);
    if (!ok) return Bad(key + ".url_env", "the URL in " + sink.url_env + " has the wrong scheme");
  }
  if (out.url.empty() && sink.type == SinkType::kPagerDuty) out.url = kPagerDutyEventsUrl;
  if (!sink.secret_env.empty()) {
    Result<std::string> v = read(sink.secret_env, "secret_env");
    if (!v) return v.error();
    out.secret = *v;
  }
  if (!sink.routing_key_env.empty()) {
    Result<std::string> v = read(sink.routing_key_env, "routing_key_env");
    if (!v) return v.error();
    out.routing_key = *v;
  }
  if (!sink.password_env.empty()) {
    Result<std::string> v = read(sink.password_env, "password_env");
    if (!v) return v.error();
    out.password = *v;
  }
  return out;
}

}  // namespace llmscope::alert

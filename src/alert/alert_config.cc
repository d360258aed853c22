#include "alert/alert_config.h"

#include <set>

namespace llmscope::alert {
namespace {

Error Bad(const std::string& key, const std::string& what) {
  return Error{"config_value", key + ": " + what};
}

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool HttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}
bool SmtpUrl(const std::string& url) {
  return url.rfind("smtp://", 0) == 0 || url.rfind("smtps://", 0) == 0;
}

Status ValidateSink(const SinkConfig& s, const std::string& key) {
  if (!ValidName(s.name)) return Bad(key + ".name", "1..64 characters of A-Z a-z 0-9 _ - .");
  if (!s.url.empty() && !s.url_env.empty()) return Bad(key, "give url or url_env, not both");
  const bool needs_url = s.type != SinkType::kPagerDuty;
  if (needs_url && s.url.empty() && s.url_env.empty())
    return Bad(key + ".url", "required (or url_env)");
  // A url given in the file is checked now; one from url_env when it is read.
  if (!s.url.empty()) {
    if (s.type == SinkType::kEmail ? !SmtpUrl(s.url) : !HttpUrl(s.url)) {
      return Bad(key + ".url", s.type == SinkType::kEmail ? "must start with smtp:// or smtps://"
                                                          : "must start with http:// or https://");
    }
  }
  if (s.type == SinkType::kPagerDuty && s.routing_key_env.empty()) {
    return Bad(key + ".routing_key_env", "required for a pagerduty sink");
  }
  if (s.type == SinkType::kEmail) {
    if (s.from.empty()) return Bad(key + ".from", "required for an email sink");
    if (s.to.empty()) return Bad(key + ".to", "required for an email sink (a list of addresses)");
    if (s.from.find('@') == std::string::npos) return Bad(key + ".from", "not an e-mail address");
    for (const std::string& a : s.to) {
      if (a.find('@') == std::string::npos || a.find_first_of("\r\n<>") != std::string::npos) {
        return Bad(key + ".to", "'" + a + "' is not an e-mail address");
      }
    }
    if (s.from.find_first_of("\r\n") != std::string::npos) return Bad(key + ".from", "one line");
    if (!s.password_env.empty() && s.username.empty()) {
      return Bad(key + ".username", "required with password_env");
    }
  }
  if (!(s.timeout_s > 0 && s.timeout_s <= 600))
    return Bad(key + ".timeout_s", "must be in (0, 600]");
  if (!(s.rate_per_minute >= 0 && s.rate_per_minute <= 60000)) {
    return Bad(key + ".rate_per_minute", "must be within 0..60000");
  }
  if (s.burst < 1 || s.burst > 10000) return Bad(key + ".burst", "must be within 1..10000");
  if (s.firing_for_s < 60) return Bad(key + ".firing_for_s", "must be at least 60");
  return {};
}

}  // namespace

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
    const MuteWindow& m = c.mutes[i];
    const std::string key = "alerts.mute[" + std::to_string(i) + "]";
    if (m.start_ms.has_value() != m.end_ms.has_value()) return Bad(key, "give both start and end");
    if (m.start_ms) {
      if (*m.start_ms >= *m.end_ms) return Bad(key, "start must be before end");
    } else {
      if (m.days == 0) return Bad(key, "give start and end, or days with from and to");
      if (m.start_minute < 0 || m.start_minute >= 1440 || m.end_minute < 0 ||
          m.end_minute >= 1440) {
        return Bad(key, "from and to must be times of day, HH:MM");
      }
    }
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

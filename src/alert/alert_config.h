// The [alerts] section of the config (docs/design.md "Shape"), as plain data: sinks, routes,
// severity overrides, mute windows and the outbox's retry policy. Parsed from TOML by
// app/alert_config_toml; checked here. Secrets are never in this struct: only the names of the
// environment variables that hold them (*_env), read by ResolveSinkSecrets when a sink is made.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/severity.h"
#include "core/result.h"
#include "core/sample.h"
#include "spc/rule.h"

namespace llmscope::alert {

enum class SinkType : uint8_t { kSlack, kEmail, kWebhook, kPagerDuty, kAlertmanager };
// "slack", "email", "webhook", "pagerduty", "alertmanager".
std::string_view SinkTypeName(SinkType t);
std::optional<SinkType> ParseSinkType(std::string_view name);

inline constexpr std::string_view kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

// Which violations a route, mute window or silence covers. Each list is "any of"; an empty list
// matches everything, so an empty match matches every violation.
struct AlertMatch {
  std::vector<std::string> providers, models;
  std::vector<Metric> metrics;
  std::vector<spc::Rule> rules;
  std::vector<Severity> severities;
};

struct SinkConfig {
  std::string name;
  SinkType type = SinkType::kWebhook;
  // slack, webhook: the URL to POST to; pagerduty: the Events API v2 URL (default
  // kPagerDutyEventsUrl); alertmanager: its base URL ("http://host:9093"); email: the SMTP
  // server, "smtp://host:port" or "smtps://host:port". Or the name of a variable that holds it.
  std::string url, url_env;
  std::string secret_env;       // webhook: the HMAC-SHA256 key of X-LLMscope-Signature
  std::string routing_key_env;  // pagerduty: the integration's routing key (required)
  // email
  std::string from;
  std::vector<std::string> to;
  std::string username, password_env;
  bool starttls = false;  // smtp://: require STARTTLS before anything is sent
  std::string ca_file;    // TLS: trust this CA bundle instead of the system's
  double timeout_s = 10;  // one attempt, connect to last byte
  // Rate limit: at most `burst` alerts at once, refilled at rate_per_minute; 0: no limit.
  double rate_per_minute = 0;
  int burst = 5;
  bool send_resolved = true;  // also send a notice when the violation is resolved
  // alertmanager: how long an open alert keeps firing there without a resolve (its endsAt).
  int64_t firing_for_s = int64_t{7} * 86400;
};

// Every route whose match covers a violation sends it to its sinks (the union, each sink once).
struct RouteConfig {
  AlertMatch match;
  std::vector<std::string> sinks;
};

// A mute window from the config: alerts of matching violations are suppressed while it is on.
// Either an absolute window [start_ms, end_ms), or a weekly one: on `days` (bit 0 = Monday ..
// bit 6 = Sunday), from start_minute to end_minute of the day, UTC; end before start wraps past
// midnight (the window then belongs to the day it starts on).
struct MuteWindow {
  std::string name;
  AlertMatch match;
  std::optional<int64_t> start_ms, end_ms;  // absolute, both set
  uint8_t days = 0;                         // weekly, when no absolute window
  int start_minute = 0, end_minute = 0;     // 0..1439; equal: the whole day
};

// A name of a sink, route or mute window: 1..64 characters of A-Z a-z 0-9 _ - .
bool ValidItemName(const std::string& name);

// A mute window's day, "mon" .. "sun" → its bit (0 = Monday); a time of day "HH:MM" → minutes.
std::optional<int> DayBit(std::string_view day);
std::string_view DayName(int bit);
std::optional<int> MinuteOfDay(std::string_view hhmm);
std::string TimeOfDay(int minute);  // "HH:MM"

struct AlertConfig {
  std::vector<SinkConfig> sinks;
  std::vector<RouteConfig> routes;
  SeverityOverrides severities;
  // Violations of a lower severity are not sent (info: the chart rules' signals, by default).
  Severity min_severity = Severity::kWarning;
  std::vector<MuteWindow> mutes;
  std::string public_url;  // the dashboard's address, for links in alerts
  int max_attempts = 12;   // then a delivery is failed
  int64_t backoff_base_ms = 2000, backoff_cap_ms = 600000;
  int64_t retry_after_cap_ms = 3600000;  // a receiver's Retry-After is honoured up to this
  int senders = 2;                       // threads sending at once
  int64_t catch_up_s = 3600;  // on start, enqueue open violations this recent (missed alerts)
  // An alert of a source that another alert of the same source, as severe or more, opened
  // within this window is grouped with it: recorded, not sent (one page per incident, not one
  // per metric). 0: every alert is sent.
  int64_t group_window_s = 900;

  const SinkConfig* FindSink(std::string_view name) const;
};

// Which secrets of a sink are kept sealed in the store (docs/design.md "Settings") rather than
// named by a *_env field: they count as given when a sink is checked.
struct StoredSecrets {
  bool url = false, secret = false, routing_key = false, password = false;
};

// The checks of one sink and one mute window, shared by the config file and the settings API so
// both accept the same items. `key` prefixes the field in errors ("alerts.sinks[1]" gives
// "alerts.sinks[1].url: ..."; "" gives "url: ..."). Pure; never quotes a secret.
Status ValidateSink(const SinkConfig& sink, const std::string& key,
                    const StoredSecrets& stored = {});
Status ValidateMute(const MuteWindow& mute, const std::string& key);

// Checks names (unique, non-empty, [A-Za-z0-9_.-]), each type's required fields, URLs' schemes,
// routes naming known sinks, ranges. Error "config_value" with the key, e.g.
// "alerts.sinks[1].url: must start with http:// or https://". Never quotes a secret.
Status Validate(const AlertConfig& config);

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The secret values of one sink, read from the environment.
struct SinkSecrets {
  std::string url;          // url, or the value of url_env
  std::string secret;       // webhook HMAC key; empty: no signature header
  std::string routing_key;  // pagerduty
  std::string password;     // email
};
// Errors "config_value" naming the variable that is unset or empty, never a value.
Result<SinkSecrets> ResolveSinkSecrets(const SinkConfig& sink, const EnvLookup& env);

}  // namespace llmscope::alert

#include "app/alert_config_toml.h"

#include <sstream>

#include "app/toml_values.h"
#include "core/time_format.h"

namespace llmscope::app {
namespace {

using alert::AlertMatch;

Error Bad(const std::string& key, const std::string& what) {
  return ConfigValueError(key, what);
}

// "alerts.sinks[0]" + "url" → "alerts.sinks[0].url".
std::string Join(const std::string& key, const std::string& name) {
  std::string out = key;
  out.append(".").append(name);
  return out;
}

// Each of `names` parsed by `parse`; "unknown <what> 'x'" otherwise.
template <typename T, typename Parse>
Status ParseEach(std::vector<T>& out, const std::string& key, const toml::node& n, const char* what,
                 Parse parse) {
  std::vector<std::string> names;
  if (Status s = TomlStrings(names, key, n); !s) return s;
  out.clear();
  for (const std::string& name : names) {
    std::optional<T> v = parse(name);
    if (!v) return Bad(key, std::string("unknown ") + what + " '" + name + "'");
    out.push_back(*v);
  }
  return {};
}

Status ParseMatch(AlertMatch& m, const std::string& key, const toml::node& n) {
  const toml::table* t = n.as_table();
  if (!t) return Bad(key, "must be a table, e.g. { provider = \"openai\", rule = [\"R1\"] }");
  for (auto&& [name, value] : *t) {
    const std::string k(name.str());
    const std::string full = Join(key, k);
    Status s;
    if (k == "provider") {
      s = TomlStrings(m.providers, full, value);
    } else if (k == "model") {
      s = TomlStrings(m.models, full, value);
    } else if (k == "metric") {
      s = ParseEach(m.metrics, full, value, "metric",
                    [](const std::string& x) { return ParseMetric(x); });
    } else if (k == "rule") {
      s = ParseEach(m.rules, full, value, "rule",
                    [](const std::string& x) { return spc::ParseRuleName(x); });
    } else if (k == "severity") {
      s = ParseEach(m.severities, full, value, "severity",
                    [](const std::string& x) { return alert::ParseSeverity(x); });
    } else {
      s = Bad(full, "unknown key (provider, model, metric, rule, severity)");
    }
    if (!s) return s;
  }
  return {};
}

Status ParseSink(alert::SinkConfig& s, const std::string& key, const toml::table& t) {
  for (auto&& [name, value] : t) {
    const std::string k(name.str());
    const std::string full = Join(key, k);
    Status r;
    if (k == "name") {
      r = TomlString(s.name, full, value);
    } else if (k == "type") {
      std::string type;
      r = TomlString(type, full, value);
      if (r) {
        std::optional<alert::SinkType> parsed = alert::ParseSinkType(type);
        if (!parsed)
          return Bad(full, "'" + type + "' (slack | email | webhook | pagerduty | alertmanager)");
        s.type = *parsed;
      }
    } else if (k == "url") {
      // The value is not quoted in errors: a Slack webhook URL is itself a secret.
      r = TomlString(s.url, full, value);
    } else if (k == "url_env") {
      r = TomlString(s.url_env, full, value);
    } else if (k == "secret_env") {
      r = TomlString(s.secret_env, full, value);
    } else if (k == "routing_key_env") {
      r = TomlString(s.routing_key_env, full, value);
    } else if (k == "password_env") {
      r = TomlString(s.password_env, full, value);
    } else if (k == "from") {
      r = TomlString(s.from, full, value);
    } else if (k == "to") {
      r = TomlStrings(s.to, full, value);
    } else if (k == "username") {
      r = TomlString(s.username, full, value);
    } else if (k == "starttls") {
      r = TomlBool(s.starttls, full, value);
    } else if (k == "ca_file") {
      r = TomlString(s.ca_file, full, value);
    } else if (k == "timeout_s") {
      r = TomlNumber(s.timeout_s, full, value);
    } else if (k == "rate_per_minute") {
      r = TomlNumber(s.rate_per_minute, full, value);
    } else if (k == "burst") {
      r = TomlInt(s.burst, full, value, 1, 10000);
    } else if (k == "send_resolved") {
      r = TomlBool(s.send_resolved, full, value);
    } else if (k == "firing_for_s") {
      r = TomlInt(s.firing_for_s, full, value, 60, int64_t{10} * 365 * 86400);
    } else if (k == "password" || k == "secret" || k == "routing_key") {
      return Bad(
          full, "secrets are not written in the config: name the variable that holds it with " + k +
                    "_env");
    } else {
      r = Bad(full, "unknown key");
    }
    if (!r) return r;
  }
  if (!t.contains("type"))
    return Bad(key + ".type", "required (slack | email | webhook | pagerduty | alertmanager)");
  return {};
}

Status GetTime(std::optional<int64_t>& out, const std::string& key, const toml::node& n) {
  std::string text;
  if (n.is_date_time()) {
    std::ostringstream os;
    os << *n.as_date_time();
    text = os.str();
  } else if (n.is_string()) {
    text = n.as_string()->get();
  } else {
    return Bad(key, "must be an ISO 8601 time, e.g. 2026-05-01T22:00:00Z");
  }
  out = ParseIsoUtc(text);
  if (!out) return Bad(key, "'" + text + "' is not an ISO 8601 time");
  return {};
}

Status ParseMute(alert::MuteWindow& w, const std::string& key, const toml::table& t) {
  bool has_from = false, has_to = false;
  for (auto&& [name, value] : t) {
    const std::string k(name.str());
    const std::string full = Join(key, k);
    Status r;
    if (k == "name") {
      r = TomlString(w.name, full, value);
    } else if (k == "match") {
      r = ParseMatch(w.match, full, value);
    } else if (k == "start") {
      r = GetTime(w.start_ms, full, value);
    } else if (k == "end") {
      r = GetTime(w.end_ms, full, value);
    } else if (k == "days") {
      std::vector<std::string> days;
      r = TomlStrings(days, full, value);
      for (const std::string& d : days) {
        std::optional<int> bit = alert::DayBit(d);
        if (!bit) return Bad(full, "'" + d + "' (mon, tue, wed, thu, fri, sat, sun)");
        w.days = static_cast<uint8_t>(w.days | (1u << *bit));
      }
    } else if (k == "from" || k == "to") {
      std::string hhmm;
      r = TomlString(hhmm, full, value);
      std::optional<int> minute = alert::MinuteOfDay(hhmm);
      if (r && !minute) return Bad(full, "'" + hhmm + "' is not HH:MM");
      (k == "from" ? w.start_minute : w.end_minute) = minute.value_or(0);
      (k == "from" ? has_from : has_to) = true;
    } else {
      r = Bad(full, "unknown key (name, match, start, end, days, from, to)");
    }
    if (!r) return r;
  }
  if (w.days != 0 && has_from != has_to)
    return Bad(key, "give both from and to (or neither: all day)");
  if (w.name.empty()) w.name = key;
  return {};
}

// [[alerts.X]]: an array of tables, each handed to `parse` with its key "alerts.X[i]".
template <typename T, typename Parse>
Status ParseTables(std::vector<T>& out, const std::string& key, const toml::node& n, Parse parse) {
  const toml::array* a = n.as_array();
  if (!a) return Bad(key, "must be an array of tables ([[" + key + "]])");
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    const toml::table* t = a->get(i)->as_table();
    if (!t) return Bad(item_key, "must be a table");
    T item;
    if (Status s = parse(item, item_key, *t); !s) return s;
    out.push_back(std::move(item));
  }
  return {};
}

Status ParseRoute(alert::RouteConfig& r, const std::string& key, const toml::table& t) {
  for (auto&& [name, value] : t) {
    const std::string k(name.str());
    Status s = k == "match"   ? ParseMatch(r.match, key + ".match", value)
               : k == "sinks" ? TomlStrings(r.sinks, key + ".sinks", value)
                              : Status(Bad(Join(key, k), "unknown key (match, sinks)"));
    if (!s) return s;
  }
  return {};
}

}  // namespace

Status ParseAlertsSection(const toml::node& node, alert::AlertConfig& c) {
  const toml::table* t = node.as_table();
  if (!t) return Bad("alerts", "must be a table ([alerts])");
  for (auto&& [name, value] : *t) {
    const std::string k(name.str());
    const std::string key = "alerts." + k;
    Status s;
    double seconds = 0;
    if (k == "sinks") {
      s = ParseTables(c.sinks, key, value, ParseSink);
    } else if (k == "routes") {
      s = ParseTables(c.routes, key, value, ParseRoute);
    } else if (k == "mute") {
      s = ParseTables(c.mutes, key, value, ParseMute);
    } else if (k == "public_url") {
      s = TomlString(c.public_url, key, value);
    } else if (k == "max_attempts") {
      s = TomlInt(c.max_attempts, key, value, 1, 1000);
    } else if (k == "senders") {
      s = TomlInt(c.senders, key, value, 1, 64);
    } else if (k == "catch_up_s") {
      s = TomlInt(c.catch_up_s, key, value, 0, int64_t{365} * 86400);
    } else if (k == "group_window_s") {
      s = TomlInt(c.group_window_s, key, value, 0, int64_t{86400});
    } else if (k == "backoff_base_s" || k == "backoff_cap_s" || k == "retry_after_cap_s") {
      s = TomlNumber(seconds, key, value);
      if (s && !(seconds > 0 && seconds <= 86400)) s = Bad(key, "must be in (0, 86400]");
      const int64_t ms = static_cast<int64_t>(seconds * 1000);
      (k == "backoff_base_s"  ? c.backoff_base_ms
       : k == "backoff_cap_s" ? c.backoff_cap_ms
                              : c.retry_after_cap_ms) = ms;
    } else if (k == "min_severity") {
      std::string name;
      s = TomlString(name, key, value);
      std::optional<alert::Severity> parsed = alert::ParseSeverity(name);
      if (s && !parsed) s = Bad(key, "'" + name + "' (info | warning | critical)");
      if (s) c.min_severity = *parsed;
    } else if (k == "severity") {
      const toml::table* overrides = value.as_table();
      if (!overrides) return Bad(key, "must be a table, e.g. { EWMA = \"warning\" }");
      for (auto&& [rule_name, sev] : *overrides) {
        const std::string full = key + "." + std::string(rule_name.str());
        std::optional<spc::Rule> rule = spc::ParseRuleName(rule_name.str());
        if (!rule) return Bad(full, "unknown rule");
        std::string sev_name;
        if (Status r = TomlString(sev_name, full, sev); !r) return r;
        std::optional<alert::Severity> parsed = alert::ParseSeverity(sev_name);
        if (!parsed) return Bad(full, "'" + sev_name + "' (info | warning | critical)");
        c.severities[*rule] = *parsed;
      }
    } else {
      s = Bad(key, "unknown key");
    }
    if (!s) return s;
  }
  return alert::Validate(c);
}

}  // namespace llmscope::app

#include "alert/alert_settings_json.h"

#include <cmath>

#include "core/time_format.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::json;

Error Invalid(const std::string& field, const std::string& what) {
  return Error{"invalid_field", field + ": " + what};
}

Status Text(std::string& out, const std::string& field, const Json& v, size_t max = 2000) {
  if (!v.is_string() || v.get_ref<const std::string&>().size() > max) {
    return Invalid(field, "a string (at most " + std::to_string(max) + " bytes)");
  }
  out = v.get<std::string>();
  return {};
}

Status Texts(std::vector<std::string>& out, const std::string& field, const Json& v) {
  if (!v.is_array() || v.size() > 100) return Invalid(field, "a list of strings");
  out.clear();
  for (const Json& item : v) {
    std::string s;
    if (Status st = Text(s, field, item, 500); !st) return st;
    out.push_back(std::move(s));
  }
  return {};
}

Status Number(double& out, const std::string& field, const Json& v) {
  if (!v.is_number() || !std::isfinite(v.get<double>())) return Invalid(field, "a number");
  out = v.get<double>();
  return {};
}

Status Integer(int64_t& out, const std::string& field, const Json& v) {
  if (!v.is_number_integer()) return Invalid(field, "a whole number");
  out = v.get<int64_t>();
  return {};
}

Status Bool(bool& out, const std::string& field, const Json& v) {
  if (!v.is_boolean()) return Invalid(field, "true or false");
  out = v.get<bool>();
  return {};
}

// A secret given in a request: a string, or null to clear it.
Status Secret(std::optional<std::string>& out, const std::string& field, const Json& v) {
  if (v.is_null()) {
    out = std::string();
    return {};
  }
  std::string s;
  if (Status st = Text(s, field, v); !st) return Invalid(field, "a string, or null to clear it");
  out = std::move(s);
  return {};
}

// Each name in `v` parsed by `parse`; "unknown <what> 'x'" otherwise.
template <typename T, typename Parse>
Status ParseEach(std::vector<T>& out, const std::string& field, const Json& v, const char* what,
                 Parse parse) {
  std::vector<std::string> names;
  if (Status s = Texts(names, field, v); !s) return s;
  out.clear();
  for (const std::string& name : names) {
    std::optional<T> parsed = parse(name);
    if (!parsed) return Invalid(field, std::string("unknown ") + what + " '" + name + "'");
    out.push_back(*parsed);
  }
  return {};
}

// The fields of a sink other than its secrets; false when `key` is not one of them.
Result<bool> SinkField(SinkConfig& s, const std::string& k, const Json& v) {
  Status r;
  int64_t n = 0;
  if (k == "name") {
    r = Text(s.name, k, v, 64);
  } else if (k == "type") {
    std::string type;
    r = Text(type, k, v, 20);
    std::optional<SinkType> parsed = ParseSinkType(type);
    if (r && !parsed) return Invalid(k, "one of slack, email, webhook, pagerduty, alertmanager");
    if (r) s.type = *parsed;
  } else if (k == "url") {
    r = Text(s.url, k, v);
  } else if (k == "url_env") {
    r = Text(s.url_env, k, v, 200);
  } else if (k == "secret_env") {
    r = Text(s.secret_env, k, v, 200);
  } else if (k == "routing_key_env") {
    r = Text(s.routing_key_env, k, v, 200);
  } else if (k == "password_env") {
    r = Text(s.password_env, k, v, 200);
  } else if (k == "from") {
    r = Text(s.from, k, v, 500);
  } else if (k == "to") {
    r = Texts(s.to, k, v);
  } else if (k == "username") {
    r = Text(s.username, k, v, 500);
  } else if (k == "starttls") {
    r = Bool(s.starttls, k, v);
  } else if (k == "ca_file") {
    r = Text(s.ca_file, k, v);
  } else if (k == "timeout_s") {
    r = Number(s.timeout_s, k, v);
  } else if (k == "rate_per_minute") {
    r = Number(s.rate_per_minute, k, v);
  } else if (k == "burst") {
    r = Integer(n, k, v);
    if (r && (n < 1 || n > 10000)) r = Invalid(k, "must be within 1..10000");
    if (r) s.burst = static_cast<int>(n);
  } else if (k == "send_resolved") {
    r = Bool(s.send_resolved, k, v);
  } else if (k == "firing_for_s") {
    r = Integer(s.firing_for_s, k, v);
  } else {
    return false;
  }
  if (!r) return r.error();
  return true;
}

// A Slack sink's url is a secret: it moves from the config to the secrets.
void SealSlackUrl(SinkConfig& config, std::optional<std::string>& url) {
  if (config.type == SinkType::kSlack && !config.url.empty()) {
    url = config.url;
    config.url.clear();
  }
}

Json SealedJson(const SinkSecretValues& v) {
  Json out = Json::object();
  if (v.url) out["url"] = *v.url;
  if (v.secret) out["secret"] = *v.secret;
  if (v.routing_key) out["routing_key"] = *v.routing_key;
  if (v.password) out["password"] = *v.password;
  return out;
}

Json OptionalTime(const std::optional<int64_t>& ms) {
  return ms ? Json(FormatIsoUtc(*ms)) : Json(nullptr);
}

}  // namespace

Result<SinkRequest> ParseSinkRequest(const Json& body) {
  if (!body.is_object()) return Error{"invalid_json", "the body must be a JSON object"};
  SinkRequest out;
  std::optional<std::string> url;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    Status r;
    if (k == "secret") {
      r = Secret(out.secrets.secret, k, it.value());
    } else if (k == "routing_key") {
      r = Secret(out.secrets.routing_key, k, it.value());
    } else if (k == "password") {
      r = Secret(out.secrets.password, k, it.value());
    } else {
      Result<bool> known = SinkField(out.config, k, it.value());
      if (!known) return known.error();
      if (!*known) {
        return Error{"unknown_field",
                     k + ": not a field of a sink (name, type, url, url_env, secret, secret_env, "
                         "routing_key, routing_key_env, from, to, username, password, "
                         "password_env, starttls, ca_file, timeout_s, rate_per_minute, burst, "
                         "send_resolved, firing_for_s)"};
      }
    }
    if (!r) return r.error();
  }
  if (!body.contains("type")) {
    return Invalid("type", "required (slack, email, webhook, pagerduty, alertmanager)");
  }
  SealSlackUrl(out.config, out.secrets.url);
  if (out.secrets.secret && out.config.type != SinkType::kWebhook) {
    return Invalid("secret", "only a webhook sink signs with a secret");
  }
  if (out.secrets.routing_key && out.config.type != SinkType::kPagerDuty) {
    return Invalid("routing_key", "only a pagerduty sink has a routing key");
  }
  if (out.secrets.password && out.config.type != SinkType::kEmail) {
    return Invalid("password", "only an email sink logs in");
  }
  return out;
}

StoredSecrets SecretsPresent(const SinkSecretValues& v) {
  auto set = [](const std::optional<std::string>& s) { return s && !s->empty(); };
  return StoredSecrets{set(v.url), set(v.secret), set(v.routing_key), set(v.password)};
}

Json SinkView(const SinkConfig& s, const StoredSecrets& stored) {
  Json out{{"name", s.name},           {"type", SinkTypeName(s.type)},
           {"timeout_s", s.timeout_s}, {"rate_per_minute", s.rate_per_minute},
           {"burst", s.burst},         {"send_resolved", s.send_resolved}};
  const bool url_secret = s.type == SinkType::kSlack;
  if (!s.url.empty() && !url_secret) out["url"] = s.url;
  if (url_secret || stored.url) out["url_set"] = stored.url || !s.url.empty();
  auto env = [&out](const char* key, const std::string& v) {
    if (!v.empty()) out[key] = v;
  };
  env("url_env", s.url_env);
  switch (s.type) {
    case SinkType::kWebhook:
      env("secret_env", s.secret_env);
      out["secret_set"] = stored.secret;
      break;
    case SinkType::kPagerDuty:
      env("routing_key_env", s.routing_key_env);
      out["routing_key_set"] = stored.routing_key;
      break;
    case SinkType::kEmail:
      out["from"] = s.from;
      out["to"] = s.to;
      env("username", s.username);
      env("password_env", s.password_env);
      out["password_set"] = stored.password;
      out["starttls"] = s.starttls;
      env("ca_file", s.ca_file);
      break;
    case SinkType::kAlertmanager:
      out["firing_for_s"] = s.firing_for_s;
      env("ca_file", s.ca_file);
      break;
    case SinkType::kSlack:
      env("ca_file", s.ca_file);
      break;
  }
  return out;
}

std::string SinkBody(const StoredSink& sink) {
  Json body = SinkView(sink.config, {});
  for (const char* derived : {"url_set", "secret_set", "routing_key_set", "password_set"}) {
    body.erase(derived);
  }
  // SinkView leaves out fields of other types; the body keeps them all.
  body["url"] = sink.config.url;
  body["sealed"] = SealedJson(sink.sealed);
  return body.dump();
}

Result<StoredSink> ParseSinkBody(const std::string& text) {
  const Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"storage_error", "an alert_sink body is not a JSON object"};
  }
  StoredSink out;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == "sealed") continue;
    Result<bool> known = SinkField(out.config, it.key(), it.value());
    if (!known) return known.error();
  }
  const Json sealed = body.value("sealed", Json::object());
  auto read = [&sealed](std::optional<std::string>& out, const char* key) {
    if (sealed.contains(key) && sealed[key].is_string()) out = sealed[key].get<std::string>();
  };
  read(out.sealed.url, "url");
  read(out.sealed.secret, "secret");
  read(out.sealed.routing_key, "routing_key");
  read(out.sealed.password, "password");
  return out;
}

Result<AlertMatch> ParseMatchJson(const Json& match, const std::string& key) {
  if (!match.is_object()) return Invalid(key, "an object, e.g. {\"provider\": [\"openai\"]}");
  AlertMatch m;
  for (auto it = match.begin(); it != match.end(); ++it) {
    const std::string& k = it.key();
    std::string field = key;
    field.append(".").append(k);
    Status s;
    if (k == "provider") {
      s = Texts(m.providers, field, it.value());
    } else if (k == "model") {
      s = Texts(m.models, field, it.value());
    } else if (k == "metric") {
      s = ParseEach(m.metrics, field, it.value(), "metric",
                    [](const std::string& x) { return ParseMetric(x); });
    } else if (k == "rule") {
      s = ParseEach(m.rules, field, it.value(), "rule",
                    [](const std::string& x) { return spc::ParseRuleName(x); });
    } else if (k == "severity") {
      s = ParseEach(m.severities, field, it.value(), "severity",
                    [](const std::string& x) { return ParseSeverity(x); });
    } else {
      return Error{"unknown_field", field + ": expected provider, model, metric, rule, severity"};
    }
    if (!s) return s.error();
  }
  return m;
}

Json MatchJson(const AlertMatch& m) {
  Json out = Json::object();
  if (!m.providers.empty()) out["provider"] = m.providers;
  if (!m.models.empty()) out["model"] = m.models;
  auto names = [](const auto& items, auto name) {
    Json list = Json::array();
    for (const auto& item : items) list.push_back(std::string(name(item)));
    return list;
  };
  if (!m.metrics.empty()) out["metric"] = names(m.metrics, MetricName);
  if (!m.rules.empty()) out["rule"] = names(m.rules, spc::RuleName);
  if (!m.severities.empty()) out["severity"] = names(m.severities, SeverityName);
  return out;
}

Result<NamedRoute> ParseRouteJson(const Json& body) {
  if (!body.is_object()) return Error{"invalid_json", "the body must be a JSON object"};
  NamedRoute out;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    Status s;
    if (k == "name") {
      s = Text(out.name, k, it.value(), 64);
    } else if (k == "match") {
      Result<AlertMatch> m = ParseMatchJson(it.value(), k);
      if (!m) return m.error();
      out.route.match = std::move(*m);
    } else if (k == "sinks") {
      s = Texts(out.route.sinks, k, it.value());
    } else {
      return Error{"unknown_field", k + ": expected name, match, sinks"};
    }
    if (!s) return s.error();
  }
  if (out.route.sinks.empty()) return Invalid("sinks", "name at least one sink");
  return out;
}

Json RouteJson(const NamedRoute& r) {
  return Json{{"name", r.name}, {"match", MatchJson(r.route.match)}, {"sinks", r.route.sinks}};
}

Result<MuteWindow> ParseMuteJson(const Json& body) {
  if (!body.is_object()) return Error{"invalid_json", "the body must be a JSON object"};
  MuteWindow w;
  bool has_from = false, has_to = false;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    Status s;
    if (k == "name") {
      s = Text(w.name, k, v, 64);
    } else if (k == "match") {
      Result<AlertMatch> m = ParseMatchJson(v, k);
      if (!m) return m.error();
      w.match = std::move(*m);
    } else if (k == "start" || k == "end") {
      std::optional<int64_t> t;
      if (v.is_string()) t = ParseIsoUtc(v.get<std::string>());
      if (!t) return Invalid(k, "an ISO 8601 time, e.g. 2026-05-01T22:00:00Z");
      (k == "start" ? w.start_ms : w.end_ms) = t;
    } else if (k == "days") {
      std::vector<std::string> days;
      s = Texts(days, k, v);
      for (const std::string& d : days) {
        std::optional<int> bit = DayBit(d);
        if (!bit) return Invalid(k, "'" + d + "' (mon, tue, wed, thu, fri, sat, sun)");
        w.days = static_cast<uint8_t>(w.days | (1u << *bit));
      }
    } else if (k == "from" || k == "to") {
      std::optional<int> minute;
      if (v.is_string()) minute = MinuteOfDay(v.get<std::string>());
      if (!minute) return Invalid(k, "a time of day, HH:MM");
      (k == "from" ? w.start_minute : w.end_minute) = *minute;
      (k == "from" ? has_from : has_to) = true;
    } else {
      return Error{"unknown_field", k + ": expected name, match, start, end, days, from, to"};
    }
    if (!s) return s.error();
  }
  if (w.days != 0 && has_from != has_to) {
    return Invalid(has_from ? "to" : "from", "give both from and to (or neither: all day)");
  }
  return w;
}

Json MuteJson(const MuteWindow& w) {
  Json out{{"name", w.name}, {"match", MatchJson(w.match)}};
  if (w.start_ms) {
    out["start"] = OptionalTime(w.start_ms);
    out["end"] = OptionalTime(w.end_ms);
    return out;
  }
  Json days = Json::array();
  for (int bit = 0; bit < 7; ++bit) {
    if ((w.days >> bit) & 1) days.push_back(std::string(DayName(bit)));
  }
  out["days"] = days;
  out["from"] = TimeOfDay(w.start_minute);
  out["to"] = TimeOfDay(w.end_minute);
  return out;
}

}  // namespace llmscope::alert

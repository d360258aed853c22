#include "app/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

#include "app/alert_config_toml.h"
#include "app/toml_values.h"
#include "probe/provider_factory.h"

namespace llmscope::app {
namespace {

Error Bad(const std::string& key, const std::string& what) {
  return ConfigValueError(key, what);
}

// One settable key: how to read it from TOML and from an environment string.
struct Key {
  std::string section, name;
  std::function<Status(const toml::node&)> from_toml;
  std::function<Status(const std::string&)> from_env;
};

Status EnvBool(bool& out, const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") {
    out = true;
  } else if (v == "false" || v == "0" || v == "no") {
    out = false;
  } else {
    return Bad(key, "must be true or false, got '" + v + "'");
  }
  return {};
}

Status EnvNumber(double& out, const std::string& key, const std::string& v) {
  double parsed = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(parsed)) {
    return Bad(key, "'" + v + "' is not a number");
  }
  out = parsed;
  return {};
}

Status SetPositive(double& out, const std::string& key, double v) {
  if (!(v > 0)) return Bad(key, "must be > 0");
  out = v;
  return {};
}

template <typename T>
Status EnvInt(T& out, const std::string& key, const std::string& v, int64_t min, int64_t max) {
  int64_t parsed = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
  if (ec != std::errc() || p != v.data() + v.size()) return Bad(key, "'" + v + "' is not a number");
  if (parsed < min || parsed > max) {
    return Bad(key, "must be within " + std::to_string(min) + ".." + std::to_string(max));
  }
  out = static_cast<T>(parsed);
  return {};
}

std::vector<Key> Keys(Config& c) {
  std::vector<Key> keys;
  auto str = [&](const char* section, const char* name, std::string& field) {
    const std::string key = std::string(section) + "." + name;
    keys.push_back({section, name,
                    [&field, key](const toml::node& n) { return TomlString(field, key, n); },
                    [&field](const std::string& v) -> Status {
                      field = v;
                      return {};
                    }});
  };
  auto boolean = [&](const char* section, const char* name, bool& field) {
    const std::string key = std::string(section) + "." + name;
    keys.push_back({section, name,
                    [&field, key](const toml::node& n) { return TomlBool(field, key, n); },
                    [&field, key](const std::string& v) { return EnvBool(field, key, v); }});
  };
  auto integer = [&](const char* section, const char* name, auto& field, int64_t min, int64_t max) {
    const std::string key = std::string(section) + "." + name;
    keys.push_back(
        {section, name,
         [&field, key, min, max](const toml::node& n) { return TomlInt(field, key, n, min, max); },
         [&field, key, min, max](const std::string& v) {
           return EnvInt(field, key, v, min, max);
         }});
  };
  auto number = [&](const char* section, const char* name, double& field) {
    const std::string key = std::string(section) + "." + name;
    keys.push_back({section, name,
                    [&field, key](const toml::node& n) { return TomlNumber(field, key, n); },
                    [&field, key](const std::string& v) { return EnvNumber(field, key, v); }});
  };
  // A number > 0, such as an upper bound.
  auto positive = [&](const char* section, const char* name, double& field) {
    const std::string key = std::string(section) + "." + name;
    keys.push_back({section, name,
                    [&field, key](const toml::node& n) {
                      double v = 0;
                      Status read = TomlNumber(v, key, n);
                      return read ? SetPositive(field, key, v) : read;
                    },
                    [&field, key](const std::string& text) {
                      double v = 0;
                      Status read = EnvNumber(v, key, text);
                      return read ? SetPositive(field, key, v) : read;
                    }});
  };
  str("server", "listen", c.listen);
  str("server", "data_dir", c.data_dir);
  boolean("server", "public_reads", c.public_reads);
  boolean("server", "public_metrics", c.public_metrics);
  boolean("server", "public_status", c.public_status);
  str("server", "api_key_file", c.api_key_file);
  str("server", "cors_origin", c.cors_origin);
  integer("server", "body_limit", c.body_limit, 1024, int64_t{1} << 30);
  integer("server", "max_stream_clients", c.max_stream_clients, 1, 100000);
  integer("server", "stream_queue_frames", c.stream_queue_frames, 16, 1 << 20);
  integer("server", "max_connections_per_address", c.max_connections_per_address, 1, 1000000);
  integer("server", "request_timeout_ms", c.request_timeout_ms, 100, 3600000);
  integer("server", "shutdown_grace_ms", c.shutdown_grace_ms, 0, 3600000);
  integer("server", "io_threads", c.io_threads, 0, 256);
  integer("server", "handler_threads", c.handler_threads, 1, 1024);
  boolean("server", "store_prompt_text", c.store_prompt_text);
  boolean("server", "demo", c.demo);
  positive("ingest", "max_latency_ms", c.max_latency_ms);
  positive("ingest", "max_tokens_per_s", c.max_tokens_per_s);
  positive("ingest", "max_cost_usd", c.max_cost_usd);
  integer("ingest", "max_token_count", c.max_token_count, 1, INT64_MAX);
  str("store", "url", c.store_url);
  integer("store", "retention_days", c.retention_days, 1, 36500);
  integer("store", "rollup_minute_days", c.rollup_minute_days, 1, 36500);
  integer("store", "rollup_hour_days", c.rollup_hour_days, 1, 36500);
  integer("spc", "baseline", c.baseline, 20, 100000);
  str("spc", "transform", c.transform);
  str("spc", "sigma", c.sigma);
  // rules: a TOML array of names (["R1", "R2=12"]) or, from the environment, a comma list.
  keys.push_back({"spc", "rules",
                  [&c](const toml::node& n) -> Status {
                    const toml::array* a = n.as_array();
                    if (!a) return Bad("spc.rules", "must be an array of rule names");
                    std::string list;
                    for (const toml::node& item : *a) {
                      if (!item.is_string()) return Bad("spc.rules", "must hold strings");
                      list += (list.empty() ? "" : ",") + item.as_string()->get();
                    }
                    c.rules = list;
                    return {};
                  },
                  [&c](const std::string& v) -> Status {
                    c.rules = v;
                    return {};
                  }});
  number("alerting", "false_alerts_per_30d", c.false_alerts_per_30d);
  number("alerting", "degraded_per_30d", c.degraded_per_30d);
  number("alerting", "tolerance", c.tolerance);
  number("alerting", "target_change", c.target_change);
  number("alerting", "jump_change", c.jump_change);
  number("alerting", "error_rise", c.error_rise);
  integer("alerting", "subgroup_size", c.subgroup_size, 1, 1000);
  integer("alerting", "baseline_subgroups", c.baseline_subgroups, 10, 10000);
  integer("alerting", "error_baseline_calls", c.error_baseline_calls, 50, 1000000);
  boolean("alerting", "auto_resolve", c.auto_resolve);
  str("settings", "secret_key_file", c.secret_key_file);
  integer("settings", "poll_ms", c.settings_poll_ms, 100, 3'600'000);
  str("proxy", "listen", c.proxy.listen);
  boolean("proxy", "require_key", c.proxy.require_key);
  positive("proxy", "timeout_s", c.proxy.timeout_s);
  integer("proxy", "queue", c.proxy.queue, 1, 10'000'000);
  return keys;
}

// One [[targets]] table → a target (not yet complete: see probe::CompleteTarget). `key` is the
// target's prefix in errors, "targets[3]".
Status ParseProfile(probe::PromptProfile& p, const std::string& key, const toml::node& n) {
  const toml::table* t = n.as_table();
  if (!t) return Bad(key, "must be a table {name, prompt, max_tokens}");
  for (auto&& [name, value] : *t) {
    const std::string k(name.str());
    const std::string full = key + "." + k;
    Status s = k == "name"         ? TomlString(p.name, full, value)
               : k == "prompt"     ? TomlString(p.prompt, full, value)
               : k == "max_tokens" ? TomlInt(p.max_tokens, full, value, 1, 1000000)
                                   : Status(Bad(full, "unknown key"));
    if (!s) return s;
  }
  return {};
}

Status ParseTarget(probe::Target& t, const std::string& key, const toml::node& n) {
  const toml::table* table = n.as_table();
  if (!table) return Bad(key, "must be a table");
  probe::SimulatedParams& sim = t.simulated;
  for (auto&& [name, value] : *table) {
    const std::string k(name.str());
    const std::string full = key + "." + k;
    Status s;
    if (k == "name") {
      s = TomlString(t.name, full, value);
    } else if (k == "provider") {
      s = TomlString(t.provider, full, value);
    } else if (k == "base_url") {
      s = TomlString(t.base_url, full, value);
    } else if (k == "model") {
      s = TomlString(t.model, full, value);
    } else if (k == "key_env") {
      s = TomlString(t.key_env, full, value);
    } else if (k == "ollama_api") {
      s = TomlString(t.ollama_api, full, value);
    } else if (k == "stream") {
      s = TomlBool(t.stream, full, value);
    } else if (k == "interval_s") {
      s = TomlNumber(t.interval_s, full, value);
    } else if (k == "timeout_s") {
      s = TomlNumber(t.timeout_s, full, value);
    } else if (k == "connect_timeout_s") {
      s = TomlNumber(t.connect_timeout_s, full, value);
    } else if (k == "first_byte_timeout_s") {
      s = TomlNumber(t.first_byte_timeout_s, full, value);
    } else if (k == "site") {
      s = TomlString(t.site, full, value);
    } else if (k == "profiles") {
      const toml::array* a = value.as_array();
      if (!a) return Bad(full, "must be an array of {name, prompt, max_tokens}");
      t.profiles.clear();
      for (size_t i = 0; i < a->size(); ++i) {
        probe::PromptProfile p;
        s = ParseProfile(p, full + "[" + std::to_string(i) + "]", *a->get(i));
        if (!s) return s;
        t.profiles.push_back(p);
      }
    } else if (k == "seed") {
      s = TomlInt(sim.seed, full, value, 0, INT64_MAX);
    } else if (k == "median_e2e_ms") {
      s = TomlNumber(sim.median_e2e_ms, full, value);
    } else if (k == "sigma_log") {
      s = TomlNumber(sim.sigma_log, full, value);
    } else if (k == "ttft_share") {
      s = TomlNumber(sim.ttft_share, full, value);
    } else if (k == "tokens_out") {
      s = TomlInt(sim.tokens_out, full, value, 1, 1000000);
    } else if (k == "error_rate") {
      s = TomlNumber(sim.error_rate, full, value);
    } else if (k == "incidents") {
      s = TomlBool(sim.incidents, full, value);
    } else {
      s = Bad(full, "unknown key");
    }
    if (!s) return s;
  }
  if (Status s = probe::CompleteTarget(t); !s) {
    return Error{"config_value", key + "." + s.error().message};
  }
  return {};
}

Status ParseTargets(std::vector<probe::Target>& out, const toml::node& n) {
  const toml::array* a = n.as_array();
  if (!a) return Bad("targets", "must be an array of tables ([[targets]])");
  for (size_t i = 0; i < a->size(); ++i) {
    probe::Target t;
    if (Status s = ParseTarget(t, "targets[" + std::to_string(i) + "]", *a->get(i)); !s) return s;
    out.push_back(std::move(t));
  }
  return {};
}

// [[proxy.upstreams]]: name, provider, base_url each; checked by proxy::UpstreamRoutes::Make.
Status ParseProxyUpstreams(std::vector<proxy::Upstream>& out, const toml::node& n) {
  const toml::array* a = n.as_array();
  if (!a) return Bad("proxy.upstreams", "must be an array of tables ([[proxy.upstreams]])");
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string key = "proxy.upstreams[" + std::to_string(i) + "]";
    const toml::table* t = a->get(i)->as_table();
    if (!t) return Bad(key, "must be a table {name, provider, base_url}");
    proxy::Upstream u;
    for (auto&& [name, value] : *t) {
      const std::string k(name.str());
      const std::string full = key + "." + k;
      Status s = k == "name"       ? TomlString(u.name, full, value)
                 : k == "provider" ? TomlString(u.provider, full, value)
                 : k == "base_url" ? TomlString(u.base_url, full, value)
                                   : Status(Bad(full, "unknown key"));
      if (!s) return s;
    }
    out.push_back(std::move(u));
  }
  if (Result<proxy::UpstreamRoutes> routes = proxy::UpstreamRoutes::Make(out); !routes) {
    return routes.error();
  }
  return {};
}

std::string Upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

std::string Config::EffectiveStoreUrl() const {
  if (!store_url.empty()) return store_url;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return "sqlite://" + dir + "/llmscope.db";
}

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

Result<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  Config c;
  std::vector<Key> keys = Keys(c);
  if (!path.empty()) {
    // Debian builds toml++ with exceptions: a parse error is thrown, and caught right here.
    toml::table root;
    try {
      root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      return Error{"config_file", path + ":" + std::to_string(e.source().begin.line) + ":" +
                                      std::to_string(e.source().begin.column) + ": " +
                                      std::string(e.description())};
    }
    for (auto&& [name, node] : root) {
      const std::string section(name.str());
      if (section == "targets") {
        if (Status s = ParseTargets(c.targets, node); !s) {
          return Error{"config_value", path + ": " + s.error().message};
        }
        continue;
      }
      if (section == "alerts") {
        if (Status s = ParseAlertsSection(node, c.alerts); !s) {
          return Error{"config_value", path + ": " + s.error().message};
        }
        continue;
      }
      const toml::table* t = node.as_table();
      if (!t || (section != "server" && section != "ingest" && section != "store" &&
                 section != "spc" && section != "alerting" && section != "proxy" &&
                 section != "settings")) {
        return Error{"config_value", path + ": unknown section [" + section + "]"};
      }
      if (section == "proxy") c.proxy.enabled = true;
      for (auto&& [key_name, value] : *t) {
        const std::string key(key_name.str());
        if (section == "proxy" && key == "upstreams") {
          if (Status s = ParseProxyUpstreams(c.proxy.upstreams, value); !s) {
            return Error{"config_value", path + ": " + s.error().message};
          }
          continue;
        }
        auto it = std::find_if(keys.begin(), keys.end(),
                               [&](const Key& k) { return k.section == section && k.name == key; });
        if (it == keys.end()) {
          return Error{"config_value", path + ": unknown key " + section + "." + key};
        }
        if (Status s = it->from_toml(value); !s) {
          return Error{"config_value", path + ": " + s.error().message};
        }
      }
    }
  }
  if (c.proxy.enabled && c.proxy.upstreams.empty()) {
    return Error{"config_value", path +
                                     ": proxy.upstreams: [proxy] needs at least one "
                                     "[[proxy.upstreams]] {name, provider, base_url}"};
  }
  for (const Key& k : keys) {
    const std::string var = "LLMSCOPE_" + Upper(k.section) + "_" + Upper(k.name);
    if (std::optional<std::string> v = env(var)) {
      if (Status s = k.from_env(*v); !s)
        return Error{"config_value", var + ": " + s.error().message};
    }
  }
  return c;
}

Result<monitor::MonitorConfig> MonitorConfigFrom(const Config& c) {
  monitor::MonitorConfig m = monitor::MonitorConfig::Defaults();
  std::optional<spc::Transform> t = spc::ParseTransform(c.transform);
  if (!t) return Bad("spc.transform", "'" + c.transform + "' (none | log)");
  std::optional<spc::SigmaMethod> sigma = spc::ParseSigmaMethod(c.sigma);
  if (!sigma) return Bad("spc.sigma", "'" + c.sigma + "' (mr_mean | mr_median | stddev)");
  Result<spc::RuleConfig> rules = spc::ParseRuleList(c.rules);
  if (!rules) return Bad("spc.rules", rules.error().message);
  for (spc::ChartConfig* chart : {&m.latency_chart, &m.other_chart}) {
    chart->baseline_size = c.baseline;
    chart->sigma_method = *sigma;
    chart->rules = *rules;
  }
  m.latency_chart.transform = *t;
  if (Status s = spc::Validate(m.latency_chart); !s) return Bad("spc", s.error().message);
  // The error p-chart's baseline is the same B calls, in whole subgroups (B = 100: 5 of 20).
  m.error_chart.baseline_subgroups = std::max(1, c.baseline / m.error_chart.subgroup_size);

  spc::AlarmBudget& budget = m.alarm.budget;
  budget.false_alerts_per_30d = c.false_alerts_per_30d;
  budget.degraded_per_30d = c.degraded_per_30d;
  budget.tolerance = c.tolerance;
  budget.target_change = c.target_change;
  budget.jump_change = c.jump_change;
  budget.error_rise = c.error_rise;
  m.alarm.subgroup_size = c.subgroup_size;
  m.alarm.baseline_subgroups = c.baseline_subgroups;
  m.error_alarm.budget = budget;
  m.error_alarm.baseline_calls = c.error_baseline_calls;
  m.auto_resolve = c.auto_resolve;
  if (Status s = spc::Validate(m.alarm); !s) return Bad("alerting", s.error().message);
  if (Status s = spc::Validate(m.error_alarm); !s) return Bad("alerting", s.error().message);
  return m;
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Bad("server.listen", "'" + listen + "' is not HOST:PORT");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  const std::string p = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port < 0 || port > 65535) {
    return Bad("server.listen", "'" + p + "' is not a port (0..65535)");
  }
  return std::make_pair(host, port);
}

}  // namespace llmscope::app

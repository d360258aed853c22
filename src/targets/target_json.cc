#include "targets/target_json.h"

#include <cctype>
#include <cmath>
#include <functional>
#include <map>

#include "probe/provider_factory.h"

namespace llmscope::targets {
namespace {

Error Bad(const std::string& field, const std::string& what) {
  return Error{"invalid_field", field + ": " + what};
}

Status Text(const Json& v, const std::string& field, std::string& out) {
  if (!v.is_string() || v.get_ref<const std::string&>().size() > 4096) {
    return Bad(field, "must be a string (at most 4,096 bytes)");
  }
  out = v.get<std::string>();
  return {};
}

Status Number(const Json& v, const std::string& field, double& out) {
  if (!v.is_number() || !std::isfinite(v.get<double>())) return Bad(field, "must be a number");
  out = v.get<double>();
  return {};
}

template <typename Int>
Status Integer(const Json& v, const std::string& field, Int& out, int64_t lo, int64_t hi) {
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
    return Bad(field, "must be a whole number within " + std::to_string(lo) + ".." +
                          std::to_string(hi));
  }
  out = static_cast<Int>(v.get<int64_t>());
  return {};
}

Status Bool(const Json& v, const std::string& field, bool& out) {
  if (!v.is_boolean()) return Bad(field, "must be true or false");
  out = v.get<bool>();
  return {};
}

Status Profiles(const Json& v, std::vector<probe::PromptProfile>& out) {
  if (!v.is_array()) return Bad("profiles", "must be an array of {name, prompt, max_tokens}");
  out.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string key = "profiles[" + std::to_string(i) + "]";
    if (!v[i].is_object()) return Bad(key, "must be an object {name, prompt, max_tokens}");
    probe::PromptProfile p;
    for (auto it = v[i].begin(); it != v[i].end(); ++it) {
      const std::string field = key + "." + it.key();
      Status s = it.key() == "name"         ? Text(*it, field, p.name)
                 : it.key() == "prompt"     ? Text(*it, field, p.prompt)
                 : it.key() == "max_tokens" ? Integer(*it, field, p.max_tokens, 1, 1000000)
                                            : Status(Bad(field, "unknown field"));
      if (!s) return s;
    }
    out.push_back(std::move(p));
  }
  return {};
}

// The [[targets]] fields of `body` into `t`; other names go to `extra` (nullptr: unknown).
Status ReadFields(const Json& body, probe::Target& t,
                  const std::function<Status(const std::string&, const Json&)>& extra) {
  using Reader = std::function<Status(const Json&)>;
  probe::SimulatedParams& sim = t.simulated;
  const std::map<std::string, Reader, std::less<>> readers = {
      {"name", [&](const Json& v) { return Text(v, "name", t.name); }},
      {"provider", [&](const Json& v) { return Text(v, "provider", t.provider); }},
      {"base_url", [&](const Json& v) { return Text(v, "base_url", t.base_url); }},
      {"model", [&](const Json& v) { return Text(v, "model", t.model); }},
      {"key_env",
       [&](const Json& v) {
         Status s = Text(v, "key_env", t.key_env);
         return s ? CheckKeyEnvName(t.key_env) : s;
       }},
      {"ollama_api", [&](const Json& v) { return Text(v, "ollama_api", t.ollama_api); }},
      {"stream", [&](const Json& v) { return Bool(v, "stream", t.stream); }},
      {"interval_s", [&](const Json& v) { return Number(v, "interval_s", t.interval_s); }},
      {"timeout_s", [&](const Json& v) { return Number(v, "timeout_s", t.timeout_s); }},
      {"connect_timeout_s",
       [&](const Json& v) { return Number(v, "connect_timeout_s", t.connect_timeout_s); }},
      {"first_byte_timeout_s",
       [&](const Json& v) { return Number(v, "first_byte_timeout_s", t.first_byte_timeout_s); }},
      {"site", [&](const Json& v) { return Text(v, "site", t.site); }},
      {"profiles", [&](const Json& v) { return Profiles(v, t.profiles); }},
      {"seed", [&](const Json& v) { return Integer(v, "seed", sim.seed, 0, INT64_MAX); }},
      {"median_e2e_ms", [&](const Json& v) { return Number(v, "median_e2e_ms", sim.median_e2e_ms); }},
      {"sigma_log", [&](const Json& v) { return Number(v, "sigma_log", sim.sigma_log); }},
      {"ttft_share", [&](const Json& v) { return Number(v, "ttft_share", sim.ttft_share); }},
      {"tokens_out",
       [&](const Json& v) { return Integer(v, "tokens_out", sim.tokens_out, 1, 1000000); }},
      {"error_rate", [&](const Json& v) { return Number(v, "error_rate", sim.error_rate); }},
      {"incidents", [&](const Json& v) { return Bool(v, "incidents", sim.incidents); }},
  };
  for (auto it = body.begin(); it != body.end(); ++it) {
    auto reader = readers.find(it.key());
    Status s = reader != readers.end() ? reader->second(*it) : extra(it.key(), *it);
    if (!s) return s;
  }
  if (Status s = probe::CompleteTarget(t); !s) return Error{"invalid_field", s.error().message};
  return {};
}

Result<Json> Object(std::string_view text) {
  Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json", "the body must be a JSON object"};
  }
  return body;
}

}  // namespace

Status CheckKeyEnvName(std::string_view name) {
  if (name.starts_with("LLMSCOPE_")) {
    return Error{"invalid_field",
                 "key_env: LLMSCOPE_* variables hold the server's own settings and secrets; name "
                 "the variable that holds the provider's key"};
  }
  return {};
}

Result<TargetInput> ParseTargetInput(std::string_view text) {
  Result<Json> body = Object(text);
  if (!body) return body.error();
  TargetInput in;
  Status s = ReadFields(*body, in.target, [&](const std::string& name, const Json& v) -> Status {
    if (name == "key") {
      std::string key;
      if (Status t = Text(v, "key", key); !t) return t;
      in.key = std::move(key);
      return {};
    }
    if (name == "version") {
      int64_t version = 0;
      if (Status t = Integer(v, "version", version, 1, INT64_MAX); !t) return t;
      in.version = version;
      return {};
    }
    // Shown in replies; a client may send a reply back as it got it.
    if (name == "id" || name == "source" || name == "key_set" || name == "state") return {};
    return Bad(name, "unknown field");
  });
  if (!s) return s.error();
  return in;
}

Result<StoredTarget> ParseStoredTarget(std::string_view text) {
  Result<Json> body = Object(text);
  if (!body) return body.error();
  StoredTarget out;
  Status s = ReadFields(*body, out.target, [&](const std::string& name, const Json& v) -> Status {
    if (name == "key_sealed") return Text(v, name, out.key_sealed);
    return Bad(name, "unknown field");
  });
  if (!s) return s.error();
  return out;
}

Json TargetFieldsJson(const probe::Target& t) {
  Json j = {{"name", t.name},
            {"provider", t.provider},
            {"base_url", t.base_url},
            {"model", t.model},
            {"key_env", t.key_env},
            {"ollama_api", t.ollama_api},
            {"stream", t.stream},
            {"interval_s", t.interval_s},
            {"timeout_s", t.timeout_s},
            {"connect_timeout_s", t.connect_timeout_s},
            {"first_byte_timeout_s", t.first_byte_timeout_s},
            {"site", t.site}};
  Json profiles = Json::array();
  for (const probe::PromptProfile& p : t.profiles) {
    profiles.push_back({{"name", p.name}, {"prompt", p.prompt}, {"max_tokens", p.max_tokens}});
  }
  j["profiles"] = std::move(profiles);
  if (t.provider == "simulated") {
    const probe::SimulatedParams& s = t.simulated;
    j["seed"] = s.seed;
    j["median_e2e_ms"] = s.median_e2e_ms;
    j["sigma_log"] = s.sigma_log;
    j["ttft_share"] = s.ttft_share;
    j["tokens_out"] = s.tokens_out;
    j["error_rate"] = s.error_rate;
    j["incidents"] = s.incidents;
  }
  return j;
}

std::string StoredTargetBody(const probe::Target& target, const std::string& key_sealed) {
  Json j = TargetFieldsJson(target);
  if (!key_sealed.empty()) j["key_sealed"] = key_sealed;
  return j.dump();
}

std::string AuditTargetBody(const probe::Target& target, bool key_set) {
  Json j = TargetFieldsJson(target);
  j["key_set"] = key_set;
  return j.dump();
}

std::string TargetIdOf(std::string_view name) {
  std::string id;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      id += static_cast<char>(std::tolower(u));
    } else if (!id.empty() && id.back() != '-') {
      id += '-';
    }
    if (id.size() >= 64) break;
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id;
}

}  // namespace llmscope::targets

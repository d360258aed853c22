#include "targets/provider_models.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "net/http_client.h"
#include "probe/provider_factory.h"

namespace llmscope::targets {
namespace {

std::string JoinUrl(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  // An OpenAI-compatible base URL may end in /v1 already (as for calls: openai_provider.h).
  if (base.ends_with("/v1") && path.starts_with("/v1/")) path.remove_prefix(3);
  return std::string(base) + std::string(path);
}

}  // namespace

Result<std::vector<std::string>> ParseModelList(std::string_view provider, std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  const bool ollama = provider == "ollama";
  const char* list = ollama ? "models" : "data";
  const char* name = ollama ? "name" : "id";
  if (j.is_discarded() || !j.is_object() || !j.contains(list) || !j[list].is_array()) {
    return Error{"provider_unreachable", std::string("the reply has no '") + list + "' list"};
  }
  std::vector<std::string> out;
  for (const nlohmann::json& m : j[list]) {
    if (m.is_object() && m.contains(name) && m[name].is_string()) {
      out.push_back(m[name].get<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<std::string>> ListProviderModels(const std::string& provider,
                                                    const std::string& base_url,
                                                    const std::string& key) {
  probe::Target t;
  t.provider = provider;
  t.base_url = base_url;
  t.model = "-";  // CompleteTarget wants one; only the provider and base URL matter here
  if (Status s = probe::CompleteTarget(t); !s) return Error{"invalid_field", s.error().message};
  if (provider == "simulated") return std::vector<std::string>{"sim-llm"};
  net::HttpRequest request;
  request.method = "GET";
  request.url = JoinUrl(t.base_url, provider == "ollama" ? "/api/tags" : "/v1/models");
  if (provider == "anthropic") {
    request.headers.emplace_back("anthropic-version", "2023-06-01");
    if (!key.empty()) request.headers.emplace_back("x-api-key", key);
  } else if (!key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + key);
  }
  net::HttpTimeouts timeouts;
  timeouts.connect = std::chrono::milliseconds(3000);
  timeouts.first_byte = std::chrono::milliseconds(5000);
  timeouts.total = std::chrono::milliseconds(5000);
  net::HttpClient client;
  const net::HttpResponse response = client.Send(request, timeouts);
  if (response.error != net::TransportError::kNone) {
    return Error{"provider_unreachable", request.url + ": " + response.error_message};
  }
  if (response.status != 200) {
    std::string words = request.url + " answered HTTP " + std::to_string(response.status);
    if ((response.status == 401 || response.status == 403) && key.empty()) {
      words += " (no API key was given)";
    }
    return Error{"provider_unreachable", words};
  }
  Result<std::vector<std::string>> models = ParseModelList(provider, response.body);
  if (!models) return Error{"provider_unreachable", request.url + ": " + models.error().message};
  return models;
}

}  // namespace llmscope::targets

#include "proxy/upstream_routes.h"

#include <algorithm>
#include <charconv>

namespace llmscope::proxy {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

bool IsProvider(std::string_view p) {
  return p == "ollama" || p == "openai" || p == "anthropic" || p == "openai-compatible";
}

}  // namespace

Result<UpstreamUrl> ParseUpstreamUrl(std::string_view url) {
  UpstreamUrl out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Error{"config_value", "base_url '" + std::string(url) + "' is not http:// or https://"};
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.find_first_of("?#") != std::string_view::npos || authority.find('@') != authority.npos) {
    return Error{"config_value", "base_url '" + std::string(url) +
                                     "' must be scheme://host[:port][/path], no query or user"};
  }
  std::string_view port = out.tls ? "443" : "80";
  const size_t colon = authority.rfind(':');
  const bool bracketed = authority.starts_with('[');
  if (colon != std::string_view::npos && (!bracketed || authority[colon - 1] == ']')) {
    port = authority.substr(colon + 1);
    authority = authority.substr(0, colon);
    int n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || end != port.data() + port.size() || n < 1 || n > 65535) {
      return Error{"config_value", "base_url '" + std::string(url) + "' has a bad port"};
    }
  }
  if (bracketed && authority.size() > 2 && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) {
    return Error{"config_value", "base_url '" + std::string(url) + "' has no host"};
  }
  out.host = std::string(authority);
  out.port = std::string(port);
  out.path_prefix = std::string(path);
  return out;
}

Api ApiOf(std::string_view provider, std::string_view path) {
  path = path.substr(0, path.find('?'));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (provider == "ollama") {
    if (path.ends_with("/api/generate")) return Api::kOllamaGenerate;
    if (path.ends_with("/api/chat")) return Api::kOllamaChat;
    // Ollama's OpenAI-compatible endpoints.
    if (path.ends_with("/v1/chat/completions")) return Api::kOpenAiChat;
    return Api::kOther;
  }
  if (provider == "anthropic") {
    return path.ends_with("/messages") ? Api::kAnthropicMessages : Api::kOther;
  }
  if (path.ends_with("/chat/completions")) return Api::kOpenAiChat;
  if (path.ends_with("/responses")) return Api::kOpenAiResponses;
  return Api::kOther;
}

Result<UpstreamRoutes> UpstreamRoutes::Make(std::vector<Upstream> upstreams) {
  UpstreamRoutes routes;
  for (size_t i = 0; i < upstreams.size(); ++i) {
    const Upstream& u = upstreams[i];
    const std::string where = "proxy.upstreams[" + std::to_string(i) + "]";
    if (u.name.empty() || !std::all_of(u.name.begin(), u.name.end(), IsNameChar)) {
      return Error{"config_value",
                   where + ".name: must be letters, digits, '-', '_' or '.', got '" + u.name + "'"};
    }
    for (size_t j = 0; j < i; ++j) {
      if (upstreams[j].name == u.name) {
        return Error{"config_value", where + ".name: '" + u.name + "' is used twice"};
      }
    }
    if (!IsProvider(u.provider)) {
      return Error{"config_value", where + ".provider: '" + u.provider +
                                       "' is not one of ollama, openai, anthropic, "
                                       "openai-compatible"};
    }
    Result<UpstreamUrl> url = ParseUpstreamUrl(u.base_url);
    if (!url) return Error{"config_value", where + "." + url.error().message};
    routes.urls_.push_back(std::move(*url));
  }
  routes.upstreams_ = std::move(upstreams);
  return routes;
}

std::optional<Route> UpstreamRoutes::Find(std::string_view request_target) const {
  if (!request_target.starts_with('/')) return std::nullopt;
  const std::string_view after = request_target.substr(1);
  const size_t end = after.find_first_of("/?");
  const std::string_view name = after.substr(0, end);
  const std::string_view rest = end == std::string_view::npos ? "" : after.substr(end);
  for (size_t i = 0; i < upstreams_.size(); ++i) {
    if (upstreams_[i].name != name) continue;
    Route route;
    route.upstream = i;
    route.target = urls_[i].path_prefix;
    if (rest.empty() || rest.front() == '?') route.target += "/";
    route.target += rest;
    route.api = ApiOf(upstreams_[i].provider, rest);
    return route;
  }
  return std::nullopt;
}

}  // namespace llmscope::proxy

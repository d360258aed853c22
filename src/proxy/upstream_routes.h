// UpstreamRoutes: which upstream a proxied request goes to, by the first segment of its path
// (docs/design.md "Proxy"). An upstream named "openai" with base_url "https://api.openai.com"
// takes "/openai/v1/chat/completions?x=1" to "https://api.openai.com/v1/chat/completions?x=1";
// a base_url with a path ("http://host/llm") prefixes it ("/llm/v1/chat/completions"). Pure:
// no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace llmscope::proxy {

// One [[proxy.upstreams]] entry. provider: ollama, openai, anthropic or openai-compatible.
struct Upstream {
  std::string name, provider, base_url;
};

// A base_url taken apart. port is the explicit one or the scheme's (80, 443); path_prefix has no
// trailing '/' ("" for none).
struct UpstreamUrl {
  bool tls = false;
  std::string host, port, path_prefix;
};

// Errors: "config_value" for a URL that is not http:// or https:// with a host.
Result<UpstreamUrl> ParseUpstreamUrl(std::string_view base_url);

// The wire format a request speaks, from the upstream's provider and the request path: it picks
// the reader that measures the reply (probe/stream_states.h).
enum class Api {
  kOpenAiChat,         // .../chat/completions (openai, openai-compatible)
  kOpenAiResponses,    // .../responses (openai, openai-compatible)
  kAnthropicMessages,  // .../messages (anthropic)
  kOllamaGenerate,     // /api/generate (ollama)
  kOllamaChat,         // /api/chat (ollama)
  kOther,              // anything else: forwarded and timed, not read
};

Api ApiOf(std::string_view provider, std::string_view path);

// Where one request goes: the upstream (an index into the routes' list), the request target to
// send it (path and query), and its API.
struct Route {
  size_t upstream = 0;
  std::string target;
  Api api = Api::kOther;
};

class UpstreamRoutes {
 public:
  // Checks each upstream: a name of letters, digits, '-', '_' and '.', unique; a known provider;
  // a base_url ParseUpstreamUrl accepts. Errors: "config_value", naming the upstream.
  static Result<UpstreamRoutes> Make(std::vector<Upstream> upstreams);

  // The route of a request target ("/name/rest?query"); nullopt when no upstream has that name.
  std::optional<Route> Find(std::string_view request_target) const;

  const std::vector<Upstream>& upstreams() const { return upstreams_; }
  const UpstreamUrl& url(size_t upstream) const { return urls_[upstream]; }

 private:
  std::vector<Upstream> upstreams_;
  std::vector<UpstreamUrl> urls_;
};

}  // namespace llmscope::proxy

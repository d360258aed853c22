#include "proxy/upstream_routes.h"

#include <gtest/gtest.h>

namespace llmscope::proxy {
namespace {

UpstreamRoutes Routes() {
  Result<UpstreamRoutes> routes =
      UpstreamRoutes::Make({{"openai", "openai", "https://api.openai.com"},
                            {"claude", "anthropic", "https://api.anthropic.com/"},
                            {"local", "ollama", "http://127.0.0.1:11434"},
                            {"vllm", "openai-compatible", "http://gpu-box:8000/serve/v1/"}});
  EXPECT_TRUE(routes) << routes.error().message;
  return *routes;
}

TEST(UpstreamRoutes, TheFirstPathSegmentNamesTheUpstream) {
  const UpstreamRoutes routes = Routes();
  std::optional<Route> r = routes.Find("/openai/v1/chat/completions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->upstream, 0u);
  EXPECT_EQ(r->target, "/v1/chat/completions");
  EXPECT_EQ(r->api, Api::kOpenAiChat);

  r = routes.Find("/claude/v1/messages?beta=true");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->upstream, 1u);
  EXPECT_EQ(r->target, "/v1/messages?beta=true");
  EXPECT_EQ(r->api, Api::kAnthropicMessages);

  r = routes.Find("/local/api/chat");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->api, Api::kOllamaChat);
  EXPECT_EQ(routes.Find("/local/api/generate")->api, Api::kOllamaGenerate);
  EXPECT_EQ(routes.Find("/local/api/tags")->api, Api::kOther);
}

TEST(UpstreamRoutes, ABaseUrlPathPrefixesTheTarget) {
  const UpstreamRoutes routes = Routes();
  std::optional<Route> r = routes.Find("/vllm/chat/completions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target, "/serve/v1/chat/completions");
  EXPECT_EQ(r->api, Api::kOpenAiChat);
  EXPECT_EQ(routes.Find("/vllm/responses")->api, Api::kOpenAiResponses);
  EXPECT_EQ(routes.Find("/vllm")->target, "/serve/v1/");
  EXPECT_EQ(routes.Find("/vllm?x=1")->target, "/serve/v1/?x=1");
}

TEST(UpstreamRoutes, UnknownNamesAndOddTargetsHaveNoRoute) {
  const UpstreamRoutes routes = Routes();
  EXPECT_FALSE(routes.Find("/nope/v1/chat/completions"));
  EXPECT_FALSE(routes.Find("/"));
  EXPECT_FALSE(routes.Find(""));
  EXPECT_FALSE(routes.Find("http://api.openai.com/v1/chat/completions"));
  EXPECT_FALSE(routes.Find("/openaiX/v1/chat/completions"));
}

TEST(UpstreamRoutes, BadUpstreamsAreRefusedByName) {
  auto error_of = [](std::vector<Upstream> u) {
    Result<UpstreamRoutes> r = UpstreamRoutes::Make(std::move(u));
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(error_of({{"a b", "openai", "http://x"}}).find("proxy.upstreams[0].name"),
            std::string::npos);
  EXPECT_NE(error_of({{"a", "openai", "http://x"}, {"a", "openai", "http://y"}}).find("used twice"),
            std::string::npos);
  EXPECT_NE(error_of({{"a", "gemini", "http://x"}}).find("provider"), std::string::npos);
  EXPECT_NE(error_of({{"a", "openai", "ftp://x"}}).find("base_url"), std::string::npos);
  EXPECT_NE(error_of({{"a", "openai", "http://x:99999"}}).find("port"), std::string::npos);
  EXPECT_NE(error_of({{"a", "openai", "http://"}}).find("no host"), std::string::npos);
  EXPECT_EQ(error_of({{"a", "openai", "http://x"}}), "");
}

TEST(ParseUpstreamUrl, SchemeHostPortAndPath) {
  Result<UpstreamUrl> u = ParseUpstreamUrl("https://api.openai.com");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.openai.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->path_prefix, "");
  u = ParseUpstreamUrl("http://127.0.0.1:11434/");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, "11434");
  EXPECT_EQ(u->path_prefix, "");
  u = ParseUpstreamUrl("http://[::1]:8000/v1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "8000");
  EXPECT_EQ(u->path_prefix, "/v1");
  EXPECT_FALSE(ParseUpstreamUrl("http://user@host/"));
  EXPECT_FALSE(ParseUpstreamUrl("http://host/?q=1"));
}

}  // namespace
}  // namespace llmscope::proxy

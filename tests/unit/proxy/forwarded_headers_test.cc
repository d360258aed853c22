#include "proxy/forwarded_headers.h"

#include <gtest/gtest.h>

namespace llmscope::proxy {
namespace {

TEST(ForwardedHeaders, EndToEndHeadersPass) {
  for (const char* name :
       {"Authorization", "x-api-key", "anthropic-version", "Content-Type", "Accept",
        "OpenAI-Organization", "User-Agent", "Content-Length", "Transfer-Encoding"}) {
    EXPECT_TRUE(IsForwarded(name, "")) << name;
  }
}

TEST(ForwardedHeaders, HopByHopHeadersStop) {
  for (const char* name : {"Connection", "keep-alive", "Proxy-Connection", "Proxy-Authorization",
                           "Proxy-Authenticate", "TE", "Trailer", "upgrade"}) {
    EXPECT_FALSE(IsForwarded(name, "")) << name;
  }
}

TEST(ForwardedHeaders, HeadersNamedByConnectionStop) {
  EXPECT_FALSE(IsForwarded("X-Trace-Hop", "keep-alive, x-trace-hop"));
  EXPECT_FALSE(IsForwarded("X-Trace-Hop", " X-Trace-Hop "));
  EXPECT_TRUE(IsForwarded("X-Trace", "keep-alive, x-trace-hop"));
}

TEST(ForwardedHeaders, TheProxysOwnHeadersStop) {
  EXPECT_FALSE(IsForwarded(kAppHeader, ""));
  EXPECT_FALSE(IsForwarded(kProxyKeyHeader, ""));
  EXPECT_FALSE(IsForwarded("x-llmscope-app", ""));
  EXPECT_FALSE(IsForwarded("X-LLMSCOPE-Anything", ""));
  EXPECT_TRUE(IsProxyHeader("x-llmscope-key"));
  EXPECT_FALSE(IsProxyHeader("X-LLMscope"));
  EXPECT_FALSE(IsProxyHeader("X-Other-App"));
}

}  // namespace
}  // namespace llmscope::proxy

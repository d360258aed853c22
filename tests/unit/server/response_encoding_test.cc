#include "server/response_encoding.h"

#include <gtest/gtest.h>

namespace llmscope::server {
namespace {

TEST(ResponseEncoding, RemoteClientsAreNotOfferedBrotli) {
  const std::string remote = "10.1.2.3";
  EXPECT_EQ(AcceptedEncoding("gzip, deflate, br, zstd", remote), "gzip, deflate, zstd");
  EXPECT_EQ(AcceptedEncoding("br;q=1.0, gzip;q=0.8", remote), "gzip;q=0.8");
  EXPECT_EQ(AcceptedEncoding("BR", "2001:db8::1"), "");
  EXPECT_EQ(AcceptedEncoding("gzip", remote), "gzip");
  EXPECT_EQ(AcceptedEncoding(" identity ,, brx", remote), "identity, brx");
  EXPECT_EQ(AcceptedEncoding("", remote), "");
}

TEST(ResponseEncoding, LoopbackClientsGetNoCompression) {
  for (const char* addr : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_EQ(AcceptedEncoding("gzip, deflate, br", addr), "") << addr;
  }
  EXPECT_EQ(AcceptedEncoding("gzip", "128.0.0.1"), "gzip");
}

}  // namespace
}  // namespace llmscope::server

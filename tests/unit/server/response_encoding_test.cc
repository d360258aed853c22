#include "server/response_encoding.h"

#include <gtest/gtest.h>

namespace llmscope::server {
namespace {

TEST(ResponseEncoding, BrotliIsNoLongerOffered) {
  EXPECT_EQ(WithoutBrotli("gzip, deflate, br, zstd"), "gzip, deflate, zstd");
  EXPECT_EQ(WithoutBrotli("br;q=1.0, gzip;q=0.8"), "gzip;q=0.8");
  EXPECT_EQ(WithoutBrotli("BR"), "");
  EXPECT_EQ(WithoutBrotli("gzip"), "gzip");
  EXPECT_EQ(WithoutBrotli(" identity ,, brx"), "identity, brx");
  EXPECT_EQ(WithoutBrotli(""), "");
}

}  // namespace
}  // namespace llmscope::server

// The engine's pure parts: percent-decoding, query strings, header lookup without regard to case,
// and which clients get gzip (with a round trip through zlib's inflate).
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "http/gzip.h"
#include "http/request.h"

namespace llmscope::http {
namespace {

TEST(Request, PercentDecodingTreatsPlusAsASpaceOnlyInQueries) {
  EXPECT_EQ(DecodePercent("%41b+c%2f", true), "Ab c/");
  EXPECT_EQ(DecodePercent("%41b+c", false), "Ab+c");
  EXPECT_EQ(DecodePercent("100%", false), "100%");
  EXPECT_EQ(DecodePercent("%zz%4", false), "%zz%4");
}

TEST(Request, QueriesKeepEveryValueOfARepeatedName) {
  const Params p = ParseQuery("a=1&b=x%20y&a=2&flag&&c=");
  EXPECT_EQ(p.count("a"), 2u);
  EXPECT_EQ(p.find("b")->second, "x y");
  EXPECT_EQ(p.find("flag")->second, "");
  EXPECT_EQ(p.find("c")->second, "");
}

TEST(Request, HeadersAreFoundInAnyCase) {
  Request req;
  req.headers.emplace("Content-Type", "application/json");
  EXPECT_TRUE(req.has_header("content-type"));
  EXPECT_EQ(req.get_header_value("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(req.get_header_value("Accept"), "");
}

TEST(Gzip, OnlyRemoteClientsThatAcceptItGetGzip) {
  const char* remote = "192.0.2.7";
  EXPECT_TRUE(ClientTakesGzip("gzip, deflate, br", remote));
  EXPECT_TRUE(ClientTakesGzip("br;q=1.0, GZIP;q=0.8", remote));
  EXPECT_FALSE(ClientTakesGzip("gzip;q=0", remote));
  EXPECT_FALSE(ClientTakesGzip("br, deflate", remote));
  EXPECT_FALSE(ClientTakesGzip("", remote));
  for (const char* addr : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_FALSE(ClientTakesGzip("gzip", addr)) << addr;
  }
}

TEST(Gzip, LargeTextRepliesAreCompressedAndInflateBack) {
  const bool takes_gzip = ClientTakesGzip("gzip", "192.0.2.7");
  Response res;
  std::string body;
  for (int i = 0; i < 500; ++i) body += "{\"value\": " + std::to_string(i) + "},";
  res.set_content(body, "application/json");
  CompressForClient(takes_gzip, res);
  EXPECT_EQ(res.headers.find("Content-Encoding")->second, "gzip");
  ASSERT_LT(res.body.size(), body.size());

  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(body.size() + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(res.body.data());
  z.avail_in = static_cast<uInt>(res.body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_EQ(out, body);

  Response small;
  small.set_content("{}", "application/json");
  CompressForClient(takes_gzip, small);
  EXPECT_FALSE(small.headers.contains("Content-Encoding"));
}

}  // namespace
}  // namespace llmscope::http

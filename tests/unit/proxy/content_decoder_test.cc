#include "proxy/content_decoder.h"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace llmscope::proxy {
namespace {

const std::string kText =
    R"({"model":"gpt-4o","usage":{"prompt_tokens":5,"completion_tokens":9},"text":")" +
    std::string(5000, 'a') + "\"}";

std::string Gzip(const std::string& text, int window_bits) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Brotli(const std::string& text) {
  size_t size = BrotliEncoderMaxCompressedSize(text.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                        text.size(), reinterpret_cast<const uint8_t*>(text.data()), &size,
                        reinterpret_cast<uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

// Feeds `encoded` in pieces of `piece` bytes.
std::string Decode(ContentDecoder& d, const std::string& encoded, size_t piece) {
  std::string out;
  for (size_t at = 0; at < encoded.size(); at += piece) {
    EXPECT_TRUE(d.Feed(std::string_view(encoded).substr(at, piece), out));
  }
  return out;
}

TEST(ContentDecoder, NoneForIdentity) {
  EXPECT_EQ(ContentDecoder::For(""), nullptr);
  EXPECT_EQ(ContentDecoder::For("identity"), nullptr);
}

TEST(ContentDecoder, GzipDeflateAndBrotliInAnyPieces) {
  for (const size_t piece : {size_t{1}, size_t{7}, size_t{100000}}) {
    EXPECT_EQ(Decode(*ContentDecoder::For("gzip"), Gzip(kText, 15 + 16), piece), kText);
    EXPECT_EQ(Decode(*ContentDecoder::For("deflate"), Gzip(kText, 15), piece), kText);
    EXPECT_EQ(Decode(*ContentDecoder::For("BR"), Brotli(kText), piece), kText);
  }
}

TEST(ContentDecoder, BadBytesAndUnknownEncodingsFail) {
  std::string out;
  std::unique_ptr<ContentDecoder> gzip = ContentDecoder::For("gzip");
  EXPECT_FALSE(gzip->Feed("this is not gzip at all", out));
  EXPECT_TRUE(gzip->failed());
  std::unique_ptr<ContentDecoder> zstd = ContentDecoder::For("zstd");
  ASSERT_NE(zstd, nullptr);
  EXPECT_TRUE(zstd->failed());
  EXPECT_TRUE(ContentDecoder::For("gzip, br")->failed());
}

}  // namespace
}  // namespace llmscope::proxy

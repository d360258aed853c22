#include "http/request_decoding.h"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace llmscope::http {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
  });
}

// Inflates with zlib's windowBits `window` (15 + 16: gzip; 15: zlib; -15: raw deflate).
Result<std::string> Inflate(std::string_view body, int window, size_t limit) {
  z_stream z{};
  if (inflateInit2(&z, window) != Z_OK) return Error{"invalid_encoding", "zlib failed to start"};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  std::string out;
  std::array<char, 64 * 1024> chunk{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > limit) {
      inflateEnd(&z);
      return Error{"body_too_large",
                   "the body is larger than " + std::to_string(limit) + " bytes (inflated)"};
    }
    out.append(chunk.data(), produced);
    if (rc == Z_STREAM_END) break;
    // Z_BUF_ERROR with input left means no progress was possible; with none, the body ended early.
    if (rc != Z_OK) {
      inflateEnd(&z);
      return Error{"invalid_encoding", "the body does not inflate (bad or truncated data)"};
    }
  }
  inflateEnd(&z);
  return out;
}

}  // namespace

bool RequestEncodingKnown(std::string_view e) {
  return e.empty() || EqualsNoCase(e, "identity") || EqualsNoCase(e, "gzip") ||
         EqualsNoCase(e, "deflate");
}

Result<std::string> DecodeRequestBody(std::string_view body, std::string_view e, size_t limit) {
  if (e.empty() || EqualsNoCase(e, "identity")) {
    if (body.size() > limit) {
      return Error{"body_too_large", "the body is larger than " + std::to_string(limit) + " bytes"};
    }
    return std::string(body);
  }
  if (EqualsNoCase(e, "gzip")) return Inflate(body, 15 + 16, limit);
  if (EqualsNoCase(e, "deflate")) {
    // HTTP's "deflate" is the zlib format; some clients send raw deflate: a zlib header's first
    // two bytes are a multiple of 31 with method 8.
    const bool zlib_header = body.size() >= 2 && (static_cast<unsigned char>(body[0]) & 0x0f) == 8 &&
                             ((static_cast<unsigned char>(body[0]) << 8) |
                              static_cast<unsigned char>(body[1])) % 31 == 0;
    return Inflate(body, zlib_header ? 15 : -15, limit);
  }
  return Error{"unsupported_encoding", "Content-Encoding " + std::string(e) + " is not supported"};
}

}  // namespace llmscope::http

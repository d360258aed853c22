#include "proxy/content_decoder.h"

#include <brotli/decode.h>
#include <zlib.h>

#include <array>
#include <cctype>

namespace llmscope::proxy {
namespace {

constexpr size_t kOutPiece = size_t{16} * 1024;

std::string Lower(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c != ' ' && c != '\t')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class FailedDecoder final : public ContentDecoder {
 public:
  bool Feed(std::string_view, std::string&) override { return false; }
  bool failed() const override { return true; }
};

// gzip and zlib-wrapped deflate (zlib detects which from the header).
class ZlibDecoder final : public ContentDecoder {
 public:
  ZlibDecoder() { failed_ = inflateInit2(&stream_, 15 + 32) != Z_OK; }
  ~ZlibDecoder() override { inflateEnd(&stream_); }
  ZlibDecoder(const ZlibDecoder&) = delete;
  ZlibDecoder& operator=(const ZlibDecoder&) = delete;

  bool Feed(std::string_view bytes, std::string& out) override {
    if (failed_) return false;
    if (ended_) return true;  // bytes after the end of the stream are not part of it
    std::array<unsigned char, kOutPiece> piece{};
    // zlib's interface takes non-const input it never writes.
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream_.avail_in = static_cast<uInt>(bytes.size());
    while (stream_.avail_in > 0 || stream_.avail_out == 0) {
      stream_.next_out = piece.data();
      stream_.avail_out = static_cast<uInt>(piece.size());
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      out.append(reinterpret_cast<const char*>(piece.data()), piece.size() - stream_.avail_out);
      if (rc == Z_STREAM_END) {
        ended_ = true;
        return true;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        failed_ = true;
        return false;
      }
      if (rc == Z_BUF_ERROR) break;  // needs more input
    }
    return true;
  }
  bool failed() const override { return failed_; }

 private:
  z_stream stream_{};
  bool failed_ = false, ended_ = false;
};

class BrotliDecoder final : public ContentDecoder {
 public:
  BrotliDecoder() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {
    failed_ = state_ == nullptr;
  }
  ~BrotliDecoder() override {
    if (state_ != nullptr) BrotliDecoderDestroyInstance(state_);
  }
  BrotliDecoder(const BrotliDecoder&) = delete;
  BrotliDecoder& operator=(const BrotliDecoder&) = delete;

  bool Feed(std::string_view bytes, std::string& out) override {
    if (failed_) return false;
    size_t available_in = bytes.size();
    const auto* next_in = reinterpret_cast<const uint8_t*>(bytes.data());
    std::array<uint8_t, kOutPiece> piece{};
    while (true) {
      size_t available_out = piece.size();
      uint8_t* next_out = piece.data();
      const BrotliDecoderResult rc = BrotliDecoderDecompressStream(
          state_, &available_in, &next_in, &available_out, &next_out, nullptr);
      out.append(reinterpret_cast<const char*>(piece.data()), piece.size() - available_out);
      if (rc == BROTLI_DECODER_RESULT_ERROR) {
        failed_ = true;
        return false;
      }
      if (rc != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return true;
    }
  }
  bool failed() const override { return failed_; }

 private:
  BrotliDecoderState* state_;
  bool failed_ = false;
};

}  // namespace

std::unique_ptr<ContentDecoder> ContentDecoder::For(std::string_view content_encoding) {
  const std::string encoding = Lower(content_encoding);
  if (encoding.empty() || encoding == "identity") return nullptr;
  if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
    return std::make_unique<ZlibDecoder>();
  }
  if (encoding == "br") return std::make_unique<BrotliDecoder>();
  return std::make_unique<FailedDecoder>();
}

}  // namespace llmscope::proxy

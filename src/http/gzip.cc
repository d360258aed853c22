#include "http/gzip.h"

#include <zlib.h>

namespace llmscope::http {
namespace {

constexpr size_t kMinCompressed = 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool Loopback(std::string_view addr) {
  return addr.starts_with("127.") || addr == "::1" || addr.starts_with("::ffff:127.");
}

bool Compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/javascript") ||
         content_type.starts_with("image/svg+xml");
}

}  // namespace

bool ClientTakesGzip(std::string_view accept_encoding, std::string_view remote_addr) {
  if (Loopback(remote_addr)) return false;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t semicolon = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semicolon));
    // "gzip" in any case: neither orders before the other.
    const CaseInsensitiveLess less;
    if (less(coding, "gzip") || less("gzip", coding)) continue;
    if (semicolon == std::string_view::npos) return true;
    const std::string_view q = Trim(item.substr(semicolon + 1));
    return !(q.starts_with("q=0") && q.find_first_of("123456789") == std::string_view::npos);
  }
  return false;
}

std::optional<std::string> Gzip(std::string_view data) {
  z_stream z{};
  // 15 + 16: a window of 2^15 with the gzip header and trailer.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

void CompressForClient(bool client_takes_gzip, Response& res) {
  if (!client_takes_gzip || res.stream || res.body.size() < kMinCompressed || res.headers.contains("Content-Encoding")) {
    return;
  }
  auto type = res.headers.find("Content-Type");
  if (type == res.headers.end() || !Compressible(type->second)) return;
  std::optional<std::string> packed = Gzip(res.body);
  if (!packed) return;
  res.body = std::move(*packed);
  res.set_header("Content-Encoding", "gzip");
  res.set_header("Vary", "Accept-Encoding");
}

}  // namespace llmscope::http

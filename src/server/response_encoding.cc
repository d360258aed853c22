#include "server/response_encoding.h"

#include <httplib.h>

#include <string_view>

namespace llmscope::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool Loopback(std::string_view addr) {
  return addr.starts_with("127.") || addr == "::1" || addr.starts_with("::ffff:127.");
}

}  // namespace

std::string AcceptedEncoding(const std::string& accept_encoding, const std::string& remote_addr) {
  if (Loopback(remote_addr)) return "";
  std::string out;
  std::string_view rest = accept_encoding;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::string_view coding = Trim(item.substr(0, item.find(';')));
    const bool brotli =
        coding.size() == 2 && (coding[0] | 0x20) == 'b' && (coding[1] | 0x20) == 'r';
    if (item.empty() || brotli) continue;
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

void LimitResponseEncoding(httplib::Request& req) {
  auto range = req.headers.equal_range("Accept-Encoding");
  for (auto it = range.first; it != range.second; ++it) {
    it->second = AcceptedEncoding(it->second, req.remote_addr);
  }
}

}  // namespace llmscope::server

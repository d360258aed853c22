#include "proxy/forwarded_headers.h"

#include <array>
#include <cctype>

namespace llmscope::proxy {
namespace {

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the comma-separated list names `name`.
bool ListNames(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (EqualNoCase(Trimmed(list.substr(0, comma)), name)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

constexpr std::array<std::string_view, 8> kHopByHop = {
    "Connection",          "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
    "Proxy-Authorization", "TE",         "Trailer",          "Upgrade"};

}  // namespace

bool IsProxyHeader(std::string_view name) {
  constexpr std::string_view kPrefix = "X-LLMscope-";
  return name.size() >= kPrefix.size() && EqualNoCase(name.substr(0, kPrefix.size()), kPrefix);
}

bool IsForwarded(std::string_view name, std::string_view connection_header) {
  if (IsProxyHeader(name)) return false;
  for (const std::string_view hop : kHopByHop) {
    if (EqualNoCase(name, hop)) return false;
  }
  return !ListNames(connection_header, name);
}

}  // namespace llmscope::proxy

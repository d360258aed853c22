// Which request and reply headers the proxy passes on (docs/design.md "Proxy"). Pure: no I/O.
//
// Not passed on: the hop-by-hop headers of RFC 9110 §7.6.1 (Connection, Keep-Alive,
// Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, TE, Trailer, Upgrade, and any header
// the Connection header names), and the proxy's own headers (X-LLMscope-*: the application label
// and the proxy key). Message framing (Content-Length, Transfer-Encoding) is the caller's to set,
// so it is not decided here. Names compare case-insensitively.
#pragma once

#include <string_view>

namespace llmscope::proxy {

// The header naming the application whose calls these are: the series' profile.
inline constexpr std::string_view kAppHeader = "X-LLMscope-App";
// The header carrying the proxy's own key when [proxy] require_key is set.
inline constexpr std::string_view kProxyKeyHeader = "X-LLMscope-Key";

// Whether a header named `name` is passed on, given the message's Connection header value.
bool IsForwarded(std::string_view name, std::string_view connection_header);

// Whether `name` is one of the proxy's own headers (X-LLMscope-*).
bool IsProxyHeader(std::string_view name);

}  // namespace llmscope::proxy

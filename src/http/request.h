// Request: one HTTP request as a route handler sees it, free of the engine that parsed it.
//
// The member names follow cpp-httplib's, so that a route written against that library ports by
// changing its types: `path` is the target's path, percent-decoded (`raw_path` as sent, for a
// route whose segments may hold an encoded '/'); `params` its query, decoded
// ("+" is a space), a repeated name kept once per value; `matches` the route pattern's match of
// the path ([0] the whole path, [1] the first capture, ...); `headers` looked up without regard
// to case; `remote_addr` the peer's IP address as text ("127.0.0.1", "::1").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace llmscope::http {

// Orders header names without regard to ASCII case, so that a lookup finds any spelling.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;
using Params = std::multimap<std::string, std::string>;

struct Request {
  std::string method;  // "GET", "POST", ... (a HEAD request is routed as its GET)
  std::string path;
  std::string raw_path;
  Params params;
  std::vector<std::string> matches;
  Headers headers;
  std::string body;
  std::string remote_addr;

  bool has_header(std::string_view name) const;
  // The first value of `name`, or "" when it is absent.
  std::string get_header_value(std::string_view name) const;
};

// "%41b+c" -> "Ab c" when `plus_is_space` (a query), "Ab+c" otherwise (a path). A malformed
// escape is kept as it is.
std::string DecodePercent(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y&a=2" -> {a: 1, a: 2, b: "x y"}; a name without "=" has the value "".
Params ParseQuery(std::string_view query);

}  // namespace llmscope::http

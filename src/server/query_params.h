// QueryParams: typed reads of a request's query parameters, for the route files. Each read gives
// nullopt when the parameter is absent, its value when it parses, or an "invalid_parameter" Error
// whose message begins with the parameter's name ("limit: '0' is not a number in 1..100000"),
// for the route to send as it is (SendError). A repeated parameter is read at its first value.
//
// It reads a plain map of names to values (http::Params, the HTTP engine's type), so it knows
// nothing of the HTTP library. It refers to the map: use it while the request lives.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/sample.h"

namespace llmscope::server {

class QueryParams {
 public:
  using Map = std::multimap<std::string, std::string>;
  // What a parse function for Named and CommaList gives a value of: V of its std::optional<V>.
  template <typename Parse>
  using Parsed = typename std::invoke_result_t<Parse, std::string_view>::value_type;

  explicit QueryParams(const Map& params) : params_(params) {}

  bool Has(std::string_view name) const;
  std::optional<std::string> Text(std::string_view name) const;

  // A finite number (T: int64_t or double) written in full: "12", "-3", "0.5", "1e3"; "12ms",
  // "nan" and "" are none.
  template <typename T>
  Result<std::optional<T>> Optional(std::string_view name) const;
  // Such a number (T: int, int64_t or double) within [lo, hi].
  template <typename T>
  Result<std::optional<T>> InRange(std::string_view name, T lo, T hi) const;
  // An ISO 8601 time (ParseIsoUtc), as Unix ms.
  Result<std::optional<int64_t>> Time(std::string_view name) const;
  // A metric's name (ParseMetric).
  Result<std::optional<llmscope::Metric>> Metric(std::string_view name) const;
  // A flag: "true" or "false" (nothing else, so a typo is an error, not false).
  Result<std::optional<bool>> Flag(std::string_view name) const;

  // A name that `parse` knows (spc::ParseRuleName, ...: std::optional<V> of a string_view);
  // `expected` lists the names for the message: "rule: unknown 'R99' (R1..R8, EWMA, CUSUM)".
  template <typename Parse>
  Result<std::optional<Parsed<Parse>>> Named(std::string_view name, Parse parse,
                                             std::string_view expected) const;
  // A comma-separated list of such names ("critical,warning"); empty items are skipped.
  template <typename Parse>
  Result<std::optional<std::vector<Parsed<Parse>>>> CommaList(std::string_view name, Parse parse,
                                                              std::string_view expected) const;

 private:
  static Error Unknown(std::string_view name, std::string_view text, std::string_view expected);
  static std::vector<std::string_view> CommaItems(std::string_view text);

  const Map& params_;
};

// `text` as a number of type T within [lo, hi] (as QueryParams::InRange), for a value that is no
// query parameter, such as an id in the path; `name` begins the message.
template <typename T>
Result<T> NumberInRange(std::string_view name, std::string_view text, T lo, T hi);

// An If-Match header's value ("3" or 3) as the version a settings change was made against;
// nullopt without the header. "invalid_parameter" unless a number ≥ 1.
Result<std::optional<int64_t>> IfMatchVersion(const std::optional<std::string>& header);

template <typename Parse>
Result<std::optional<QueryParams::Parsed<Parse>>> QueryParams::Named(
    std::string_view name, Parse parse, std::string_view expected) const {
  const std::optional<std::string> text = Text(name);
  if (!text) return std::optional<Parsed<Parse>>();
  std::optional<Parsed<Parse>> value = parse(*text);
  if (!value) return Unknown(name, *text, expected);
  return value;
}

template <typename Parse>
Result<std::optional<std::vector<QueryParams::Parsed<Parse>>>> QueryParams::CommaList(
    std::string_view name, Parse parse, std::string_view expected) const {
  const std::optional<std::string> text = Text(name);
  if (!text) return std::optional<std::vector<Parsed<Parse>>>();
  std::vector<Parsed<Parse>> values;
  for (std::string_view item : CommaItems(*text)) {
    std::optional<Parsed<Parse>> value = parse(item);
    if (!value) return Unknown(name, item, expected);
    values.push_back(std::move(*value));
  }
  return std::optional<std::vector<Parsed<Parse>>>(std::move(values));
}

}  // namespace llmscope::server

#include "server/query_params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>

#include "core/time_format.h"

namespace llmscope::server {
namespace {

Error Invalid(std::string_view name, const std::string& what) {
  return Error{"invalid_parameter", std::string(name) + ": " + what};
}

// The whole of `text` as a finite number, or nullopt.
template <typename T>
std::optional<T> FullNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value)) return std::nullopt;
  }
  return value;
}

}  // namespace

bool QueryParams::Has(std::string_view name) const {
  return params_.find(std::string(name)) != params_.end();
}

std::optional<std::string> QueryParams::Text(std::string_view name) const {
  auto it = params_.lower_bound(std::string(name));
  if (it == params_.end() || it->first != name) return std::nullopt;
  return it->second;
}

template <typename T>
Result<std::optional<T>> QueryParams::Optional(std::string_view name) const {
  const std::optional<std::string> text = Text(name);
  if (!text) return std::optional<T>();
  std::optional<T> value = FullNumber<T>(*text);
  if (!value) return Invalid(name, "'" + *text + "' is not a number");
  return value;
}

template <typename T>
Result<std::optional<T>> QueryParams::InRange(std::string_view name, T lo, T hi) const {
  const std::optional<std::string> text = Text(name);
  if (!text) return std::optional<T>();
  Result<T> value = NumberInRange(name, *text, lo, hi);
  if (!value) return value.error();
  return std::optional<T>(*value);
}

template <typename T>
Result<T> NumberInRange(std::string_view name, std::string_view text, T lo, T hi) {
  std::optional<T> value = FullNumber<T>(text);
  if (!value || !(*value >= lo && *value <= hi)) {
    std::ostringstream what;
    what << "'" << text << "' is not a number in " << lo << ".." << hi;
    return Invalid(name, what.str());
  }
  return *value;
}

Result<std::optional<int64_t>> QueryParams::Time(std::string_view name) const {
  const std::optional<std::string> text = Text(name);
  if (!text) return std::optional<int64_t>();
  std::optional<int64_t> ms = ParseIsoUtc(*text);
  if (!ms) return Invalid(name, "not an ISO 8601 time");
  return ms;
}

Result<std::optional<llmscope::Metric>> QueryParams::Metric(std::string_view name) const {
  return Named(name, ParseMetric, "e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, error");
}

Result<std::optional<bool>> QueryParams::Flag(std::string_view name) const {
  return Named(
      name,
      [](std::string_view v) -> std::optional<bool> {
        if (v == "true") return true;
        if (v == "false") return false;
        return std::nullopt;
      },
      "true, false");
}

Error QueryParams::Unknown(std::string_view name, std::string_view text,
                           std::string_view expected) {
  return Invalid(name, "unknown '" + std::string(text) + "' (" + std::string(expected) + ")");
}

std::vector<std::string_view> QueryParams::CommaItems(std::string_view text) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    if (comma > 0) items.push_back(text.substr(0, comma));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return items;
}

template Result<std::optional<int64_t>> QueryParams::Optional(std::string_view) const;
template Result<std::optional<double>> QueryParams::Optional(std::string_view) const;
template Result<std::optional<int>> QueryParams::InRange(std::string_view, int, int) const;
template Result<std::optional<int64_t>> QueryParams::InRange(std::string_view, int64_t,
                                                             int64_t) const;
template Result<std::optional<double>> QueryParams::InRange(std::string_view, double, double) const;
template Result<int64_t> NumberInRange(std::string_view, std::string_view, int64_t, int64_t);

Result<std::optional<int64_t>> IfMatchVersion(const std::optional<std::string>& header) {
  if (!header) return std::optional<int64_t>();
  std::string text = *header;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  Result<int64_t> v = NumberInRange<int64_t>("If-Match", text, 1, INT64_MAX);
  if (!v) return v.error();
  return std::optional<int64_t>(*v);
}

}  // namespace llmscope::server

#include "server/series_path.h"

#include "http/request.h"
#include "server/query_params.h"

namespace llmscope::server {

Result<SeriesKey> SeriesFromPath(const http::Request& req, std::string_view action) {
  constexpr std::string_view kPrefix = "/api/series/";
  const std::string suffix = "/" + std::string(action);
  std::string_view raw = req.raw_path;
  std::optional<SeriesPathParts> parts;
  if (raw.starts_with(kPrefix) && raw.ends_with(suffix)) {
    raw.remove_prefix(kPrefix.size());
    raw.remove_suffix(suffix.size());
    parts = SplitEncodedSeriesPath(raw);
  }
  if (!parts) {
    return Error{"not_found",
                 "series path must be /api/series/PROVIDER/MODEL/METRIC/" + std::string(action)};
  }
  const QueryParams params(req.params);
  return SeriesKey{SourceKey{std::move(parts->provider), std::move(parts->model),
                             params.Text("site").value_or(""), params.Text("profile").value_or("")},
                   parts->metric};
}

std::optional<SeriesPathParts> SplitEncodedSeriesPath(std::string_view encoded) {
  const size_t first = encoded.find('/'), last = encoded.rfind('/');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  std::optional<Metric> metric = ParseMetric(http::DecodePercent(encoded.substr(last + 1), false));
  if (!metric) return std::nullopt;
  return SeriesPathParts{http::DecodePercent(encoded.substr(0, first), false),
                         http::DecodePercent(encoded.substr(first + 1, last - first - 1), false),
                         *metric};
}

}  // namespace llmscope::server

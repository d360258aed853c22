#include "server/series_path.h"

#include "http/request.h"

namespace llmscope::server {

Result<SeriesKey> SeriesFromPath(const std::string& path, const QueryParams& params,
                                 std::string_view action) {
  const size_t first = path.find('/'), last = path.rfind('/');
  std::optional<Metric> metric =
      last == std::string::npos ? std::nullopt : ParseMetric(path.substr(last + 1));
  if (first == std::string::npos || first == last || !metric) {
    return Error{"not_found",
                 "series path must be /api/series/PROVIDER/MODEL/METRIC/" + std::string(action)};
  }
  return SeriesKey{SourceKey{path.substr(0, first), path.substr(first + 1, last - first - 1),
                             params.Text("site").value_or(""), params.Text("profile").value_or("")},
                   *metric};
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

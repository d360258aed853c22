// The series a route's path names: /api/series/PROVIDER/MODEL/METRIC/<action>, where the model
// may itself hold '/', a provider holding '/' is sent as %2F, and the site and profile are query
// parameters (?site=&profile=), as the stage, SLO and settings routes take them (series_routes.h,
// slo_routes.h, series_settings_routes.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sample.h"
#include "http/request.h"

namespace llmscope::server {

// The series of `req`, whose path as sent (raw_path) is /api/series/PROVIDER/MODEL/METRIC/
// `action`, split by SplitEncodedSeriesPath; site and profile from its query. "not_found" when
// the path names no series.
Result<SeriesKey> SeriesFromPath(const http::Request& req, std::string_view action);

// PROVIDER/MODEL/METRIC as sent, before percent-decoding (http::Request::raw_path): split at its
// first and last '/', then each part decoded, so that a provider holding '/' is addressed as
// %2F (the model may hold '/' either way). nullopt without three parts or a known metric.
struct SeriesPathParts {
  std::string provider, model;
  Metric metric = Metric::kE2eMs;
};
std::optional<SeriesPathParts> SplitEncodedSeriesPath(std::string_view encoded);

}  // namespace llmscope::server

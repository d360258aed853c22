// The window of samples a route reads (GET /api/stats/pchart, GET /api/export/samples), from its
// query parameters: provider and model (with site and profile, they name one source; alone, they
// filter), a window of `hours` before now (default 24, at most 8784) or `since` / `until`
// (ISO 8601; either replaces its end of the hours window), and `limit` (default 100000, at most
// 500000).
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "server/query_params.h"
#include "store/store.h"

namespace llmscope::server {

inline constexpr int64_t kMaxWindowSamples = 500000;

// With `need_source`, provider and model are required and the query names one source.
// Errors: "invalid_parameter".
Result<store::SampleQuery> SampleWindow(const QueryParams& params, bool need_source,
                                        int64_t now_ms);

// The newest `q.limit` samples of the window, oldest first.
Result<std::vector<Sample>> NewestOfWindow(store::Store& store, store::SampleQuery q);

}  // namespace llmscope::server

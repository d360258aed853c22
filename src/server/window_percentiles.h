// The percentiles of a long window read from rollups (docs/design.md "Rollups"), without reading
// its every sample: the sketches of its whole closed hours (store/sketch_hours.h) merged, and the
// values of the rest read from the samples (the cache of recent samples first): the window's
// ragged ends, the hour still open, and any closed hour whose stored sketch counts other values
// than its hour rollup (not sketched yet, or late samples since; at most two such hours, else the
// sketch pass has not caught up and the percentiles are left out). Each percentile is then within
// 1 % of the exact one (spc/quantile_sketch.h). The window's first partial hour counts the
// samples still kept (after retention, none: at most an hour of the window's oldest values).
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.h"
#include "core/sample.h"
#include "server/recent_samples.h"
#include "spc/quantile_sketch.h"
#include "store/store.h"

namespace llmscope::server {

// The sketch of `series`' values with since_ms ≤ time < until_ms (until_ms may be INT64_MAX: an
// open window); now_ms is the server's clock, whose hour is still open. `window_values`: how many
// values the window's rollups count, when the caller knows: if the stored sketches and the ends'
// samples count as many, they are the answer, without reading the hour rollups to find hours
// that changed since they were sketched (late samples, hours not sketched yet). nullopt for the error
// metric (not sketched), when more than two closed hours lack a matching sketch, or when a closed
// hour's values are in neither a matching sketch nor the samples (its samples past retention
// before it was sketched: its values are gone).
Result<std::optional<spc::QuantileSketch>> WindowSketch(const SeriesKey& series, int64_t since_ms,
                                                        int64_t until_ms, int64_t now_ms,
                                                        std::optional<int64_t> window_values,
                                                        store::Store& store,
                                                        const RecentSamples& recent);

}  // namespace llmscope::server

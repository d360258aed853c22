// The body of GET /api/stats/spc: a series' points over a time window as the original LLMscope's
// column arrays (timestamps, values, models, providers, total_durations, eval_durations,
// prompt_counts, eval_counts, cpu_percents, memory_percents, gpu_percents, prompt_hashes) plus
// ids, errors, memory and GPU columns, and the chart: state, current stage, every stage, limits
// and zones in the original unit (provisional ones while learning), summary, capability when
// spec limits are given, and the violations in the window.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::server {

struct SpcViewRequest {
  SeriesKey key;
  int64_t since_ms = 0, until_ms = INT64_MAX;
  int64_t limit = 43200;  // the newest `limit` points of the window
  std::optional<double> usl, lsl;
};

// The JSON text. Errors: storage errors, "invalid_spec".
Result<std::string> BuildSpcView(const SpcViewRequest& request, store::Store& store,
                                 const monitor::SeriesMonitor& monitor);

}  // namespace llmscope::server

// The body of GET /api/stats/spc: a series' points over a time window as the original LLMscope's
// column arrays (timestamps, values, models, providers, total_durations, eval_durations,
// prompt_counts, eval_counts, cpu_percents, memory_percents, gpu_percents, prompt_hashes) plus
// ids, errors, memory and GPU columns, and the chart: state (and the series' alarm state and
// detector, as GET /api/series gives them), current stage, every stage, limits
// and zones in the original unit (provisional ones while learning), summary, capability when
// spec limits are given (with its usl, lsl and spec_source), and the newest 200 violations in the window in full
// (`violations_truncated` says whether there were more; the whole log, with filters and
// paging, is GET /api/violations). `violation_marks` marks every monitoring-phase violation of
// the window, oldest first, as columns ids, time_ms (onset), rules, severities, counts, for
// markers; the summary counts them per rule. A window read from samples marks each violation
// (count 1) of the newest 20,000 (`violation_marks_truncated` says whether there were more); a
// window read from rollups marks each display bucket per rule with its count from the store's
// violation counts, id null, and the listed violations on their own (chart_marks.h), uncut. With `max_points` the columns hold the display points only, and
// `downsampled` (whether any were left out), `bucket_ms` and `window_count` (the points the
// window holds) say so. `source` says what the points were read from: "samples", or, for a
// series' window too long for max_points (display buckets of a minute or more, no spec limits),
// "rollup_1m" / "rollup_1h" (rollup_window.h; "rollup_1h" also when hours past minute-rollup
// retention fill in for their minutes): the same display points, read by id, and the
// summary (count, mean, std, min, max, error rate) from the rollups' sums, its percentiles null
// and `percentiles_omitted` true (they need every value).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/severity.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "server/recent_samples.h"
#include "store/store.h"

namespace llmscope::server {

struct SpcViewRequest {
  // One series: the chart is included. Without `series` (the original API allowed no filter; a
  // provider and model probed with several profiles or sites), the points of every source
  // matching `provider` / `model` are listed in time order, and the chart lists the series of
  // `matching` (each as GET /api/series shows it) instead of one chart.
  std::optional<SeriesKey> series;
  std::optional<std::string> provider, model;
  std::vector<SourceKey> matching;
  Metric metric = Metric::kE2eMs;
  int64_t since_ms = 0, until_ms = INT64_MAX;
  int64_t display_until_ms = 0;  // the end the display buckets span: until, or now
  int64_t limit = 43200;         // the newest `limit` points of the window
  // Spec limits (original unit) for the capability: the request's, else the series' stored SLO
  // (settings/series_slo.h); `spec_source` says which ("query" or "slo"), shown with it.
  std::optional<double> usl, lsl;
  std::string spec_source = "query";
  // Only the columns a chart draws (time_ms, values, ids, errors and the host telemetry
  // percents), without the original's per-point text and Ollama columns: at 43,200 points the
  // body is ~2 MB instead of ~5 MB (the dashboard asks with ?columns=chart).
  bool chart_columns_only = false;
  // At most about this many display points (M4 per time bucket over [since_ms,
  // display_until_ms), display_downsample.h), the points of the newest listed violations kept
  // (at most a quarter of max_points); the summary and capability still cover every point of
  // the window, which is then read whole or from rollups (`limit` does not apply). nullopt:
  // every point up to `limit` (the original's reply).
  std::optional<size_t> max_points;
  alert::SeverityOverrides severities;  // each listed violation's severity
};

// The JSON text. The points come from `recent` when it holds the whole window, else from the
// store. Errors: storage errors, "invalid_spec".
Result<std::string> BuildSpcView(const SpcViewRequest& request, store::Store& store,
                                 const monitor::SeriesMonitor& monitor,
                                 const RecentSamples& recent);

}  // namespace llmscope::server

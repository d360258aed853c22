// A series' overrides (docs/design.md "Per-series overrides"): its own baseline size, transform,
// rules and alert budget in place of the config file's [spc] baseline, transform, rules and
// [alerting] false_alerts_per_30d, kept in the store as settings of kind "series_override"
// under the series' id (SeriesSettingId, as the SLO's). A field not set takes the file's value.
//
// Pure: checks, reads and writes the stored body, and puts an override over the file's
// configuration; no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "monitor/series_monitor.h"
#include "spc/transform.h"
#include "store/setting_records.h"

namespace llmscope::settings {

inline constexpr std::string_view kSeriesOverrideKind = "series_override";

struct SeriesOverride {
  std::optional<int> baseline;                 // B, as [spc] baseline takes it: 20..100,000
  std::optional<spc::Transform> transform;     // log only for a latency metric, as the file
  std::optional<std::string> rules;            // an [spc] rules list, e.g. "R1,R2,R5"
  std::optional<double> false_alerts_per_30d;  // the alarm detector's budget, > 0

  bool empty() const { return !baseline && !transform && !rules && !false_alerts_per_30d; }
};

// A PUT's body: the override and the version it was made against ("version", optional).
struct SeriesOverrideEdit {
  SeriesOverride fields;
  std::optional<int64_t> version;
};

// A body {"baseline", "transform", "rules" (a comma list or an array of names),
// "false_alerts_per_30d", "version"}: each field optional, null meaning "the file's"; at least
// one set. `metric` is the series'; `file` the metric's configuration from the file, whose R1 σ
// multiple (the k of the limits) the rules must keep. Errors name the field: "invalid_json",
// "unknown_field", "invalid_field" ("baseline: ...", "metric: ..." for the error series, which
// takes none), "missing_field".
Result<SeriesOverrideEdit> ParseSeriesOverrideBody(std::string_view text, Metric metric,
                                                   const monitor::SeriesConfig& file);
// The body stored: the fields set, the rules in FormatRuleList's form.
std::string SeriesOverrideBody(const SeriesOverride& o);

// `file` with the override's fields over it (the override must have passed
// ParseSeriesOverrideBody against the same metric).
monitor::SeriesConfig ApplyOverride(const SeriesOverride& o, monitor::SeriesConfig file);

// The monitor's configuration of each series among stored items of kind "series_override"
// (Store::ListSettings): `file_config` gives each metric's file configuration; since_ms is the
// item's updated_ms. Items that do not parse (or no longer pass against the file) are left out.
std::map<SeriesKey, monitor::SeriesConfig> SeriesConfigsOf(
    const std::vector<store::SettingRecord>& records,
    const std::function<monitor::SeriesConfig(Metric)>& file_config);

}  // namespace llmscope::settings

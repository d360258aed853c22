// A series' SLO (docs/design.md "Settings", "Per-series SLO"): its upper and lower spec limits in
// the metric's original unit, kept in the store as settings of kind "slo" under the series'
// canonical id. GET /api/stats/spc and /metrics judge the series' capability (docs/spc.md §7)
// against it unless a request gives its own limits.
//
// Pure: parses and writes the stored body and the id; no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "spc/capability.h"
#include "spc/transform.h"
#include "store/setting_records.h"

namespace llmscope::settings {

inline constexpr std::string_view kSloKind = "slo";

// The id of a series' settings: the JSON array [provider, model, site, profile, metric], which
// no two series share whatever their names hold.
std::string SeriesSettingId(const SeriesKey& key);
// The series of such an id; nullopt for any other text.
std::optional<SeriesKey> ParseSeriesSettingId(std::string_view id);

// A body {"usl": number|null, "lsl": number|null} (either may be absent, not both): finite
// values the series' transform can take, LSL below USL. Errors name the field: "invalid_json",
// "unknown_field", "invalid_field" ("usl: ...", "lsl: ...") and "missing_field".
Result<spc::SpecLimits> ParseSloBody(std::string_view text, spc::Transform transform);
// The body stored: {"usl", "lsl"} with null for a limit not set.
std::string SloBody(const spc::SpecLimits& slo);

// The SLO of each series among stored items of kind "slo" (Store::ListSettings); items that do
// not parse are left out.
std::map<SeriesKey, spc::SpecLimits> SlosOf(const std::vector<store::SettingRecord>& records);

}  // namespace llmscope::settings

// The JSON shapes of the HTTP API and the event stream: one function per domain type, so every
// route and the SSE stream show a thing the same way. Times are ISO 8601 UTC text plus a
// *_ms number; non-finite numbers are null.
#pragma once

#include <nlohmann/json.hpp>

#include "alert/severity.h"
#include "core/sample.h"
#include "monitor/series_monitor.h"
#include "spc/capability.h"
#include "spc/summary.h"
#include "store/records.h"

namespace llmscope::server {

using Json = nlohmann::ordered_json;

Json SampleJson(const Sample& s);
Json SourceJson(const SourceKey& k);
Json SeriesKeyJson(const SeriesKey& k);
Json LimitsJson(const spc::Limits& l);
Json StageJson(const store::StageRecord& r, const spc::ChartConfig& config);
// StageJson with its "series" (SeriesKeyJson of r.series): a new stage, as a route or the
// stream announces it.
Json StageWithSeriesJson(const store::StageRecord& r, const spc::ChartConfig& config);
// With its severity by the rule's (alert::SeverityOf with the config's overrides), and
// detected_time: when the rule or detector signalled (created_ms).
Json ViolationJson(const store::ViolationRecord& v, bool with_context,
                   const alert::SeverityOverrides& severities);
// The alarm detector's design and standing (monitor::AlarmView), as "alerting" of a series.
Json AlarmViewJson(const monitor::AlarmView& a);
// With its state and "alerting".
Json SeriesViewJson(const monitor::SeriesView& v);
// An array of SeriesViewJson.
Json SeriesListJson(const std::vector<monitor::SeriesView>& views);
Json SummaryJson(const spc::Summary& s);
Json CapabilityJson(const spc::Capability& c);

// {"error": {"code": …, "message": …}}
Json ErrorJson(const std::string& code, const std::string& message);

}  // namespace llmscope::server

// The status page's model (docs/design.md "Status page"): each source's state, its last days as a
// strip of daily states and its current e2e latency, built from plain inputs. Pure: the server
// gathers the inputs (server/status_inputs.h) and renders the report as JSON, HTML or a badge.
//
// A source's state (worst first):
//   silent      no sample for longer than SilentAfterMs(interval): 5 sampling intervals, at least
//               60 s; 5 minutes while the interval is not known
//   violation   one of its metrics has an open alarm episode (monitor::SeriesState)
//   degraded    one of its metrics is past its alarm's early-warning level
//   learning    one of its metrics is still learning its baseline
//   in_control  otherwise
// The report's overall state is its worst source's; a report without sources has none.
//
// A day's state (UTC days, docs/spc.md §9 for the severities):
//   no_data     no sample that day
//   critical    a critical violation (JUMP, ERRORS by default) was open at some time that day
//   warning     else a warning one (SHIFT by default)
//   in_control  else
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alert/severity.h"
#include "core/sample.h"
#include "store/daily_sample_count.h"

namespace llmscope::status {

enum class SourceState : uint8_t { kInControl, kLearning, kDegraded, kViolation, kSilent };
// "in_control", "learning", "degraded", "violation", "silent".
const char* SourceStateName(SourceState s);
// "In control", "Learning", "Degraded", "Violation", "Silent".
const char* SourceStateLabel(SourceState s);

enum class DayState : uint8_t { kNoData, kInControl, kWarning, kCritical };
// "no_data", "in_control", "warning", "critical".
const char* DayStateName(DayState s);
// "No data", "In control", "Warning", "Critical".
const char* DayStateLabel(DayState s);

// How long a source may send nothing before it is silent (see above).
int64_t SilentAfterMs(std::optional<double> interval_ms);

struct MetricStatus {
  Metric metric = Metric::kE2eMs;
  SourceState state = SourceState::kLearning;  // never kSilent: silence is the source's
};

struct SourceInput {
  SourceKey source;
  std::vector<MetricStatus> metrics;  // one per series of the source
  std::optional<int64_t> last_sample_ms;
  std::optional<double> interval_ms;  // the source's sampling interval, when known
  std::vector<double> recent_e2e_ms;  // the newest successful calls' latencies, oldest first
};

// A warning or critical violation of one source, open from first to last time (inclusive).
struct ViolationSpan {
  SourceKey source;
  int64_t first_time_ms = 0, last_time_ms = 0;
  alert::Severity severity = alert::Severity::kWarning;
};

struct StatusInputs {
  int64_t now_ms = 0;
  int days = 90;  // the strip's length, ending with today (UTC)
  std::vector<SourceInput> sources;
  std::vector<store::DailySampleCount> day_counts;  // Store::CountSamplesByDay over the strip
  std::vector<ViolationSpan> violations;            // those touching the strip
};

struct DayStatus {
  int64_t day = 0;  // store::UtcDayOf
  DayState state = DayState::kNoData;
  int64_t samples = 0, errors = 0;
  int64_t warnings = 0, criticals = 0;  // violations open that day
};

struct SourceStatus {
  SourceKey source;
  SourceState state = SourceState::kLearning;
  std::vector<MetricStatus> metrics;  // in Metric order
  std::optional<int64_t> last_sample_ms;
  std::optional<double> interval_ms;
  int64_t silent_after_ms = 0;
  std::optional<double> e2e_p50_ms, e2e_p95_ms;  // nearest rank, over recent_e2e_ms
  std::vector<double> e2e_spark;                 // SparklineOf(recent_e2e_ms, kSparkPoints)
  std::vector<DayStatus> days;                   // oldest first; the last is today
};

struct StatusReport {
  int64_t generated_ms = 0;
  int64_t first_day = 0;  // the strip's first day (store::UtcDayOf)
  int days = 0;           // the strip's length
  std::optional<SourceState> overall;
  std::vector<SourceStatus> sources;  // by provider, model, site, profile
};

// The day states of one source's strip of `days` days from first_day, from that source's counts
// and violations (rows outside the strip are ignored; info violations change nothing).
std::vector<DayStatus> DayStatesOf(int64_t first_day, int days,
                                   const std::vector<store::DailySampleCount>& counts,
                                   const std::vector<ViolationSpan>& violations);

// The overview's sparkline of a source (docs/design.md "Status page"): `values` (oldest first) cut
// into min(points, values.size()) runs of consecutive values as equal in length as they can be,
// and the mean of each run, oldest first. Fewer values than points give the values themselves.
inline constexpr int kSparkPoints = 30;
std::vector<double> SparklineOf(const std::vector<double>& values, int points);

// The source's state at now_ms (see above).
SourceState SourceStateOf(const SourceInput& source, int64_t now_ms);

StatusReport BuildStatusReport(const StatusInputs& inputs);

}  // namespace llmscope::status

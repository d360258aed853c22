// What a Store keeps besides samples: stages and violations (DESIGN.md "Data").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/sample.h"
#include "spc/firing.h"
#include "spc/stage.h"

namespace llmscope::store {

// A stage of one series. Saved when a stage begins learning (frozen = false; mean and sigma
// unset) and saved again, same (series, number), when it freezes.
struct StageRecord {
  SeriesKey series;
  spc::Stage stage;           // number, start_index, baseline_size, transform, σ method, μ̂, σ̂
  bool frozen = false;
  bool external_baseline = false;  // limits from a chosen window, not from the stage's own points
  int64_t start_sample_id = 0;     // id of the stage's first sample (0: from the next sample on)
  int64_t start_time_ms = 0;
  int64_t created_ms = 0;
};

enum class ViolationStatus : uint8_t { kOpen, kAcknowledged, kResolved };
std::string_view ViolationStatusName(ViolationStatus s);  // "open", "acknowledged", "resolved"
std::optional<ViolationStatus> ParseViolationStatus(std::string_view name);

// One violation event (SPC.md §5: consecutive firings of one rule grouped) with what an engineer
// needs to act: the limits and σ̂ it was judged by and the context around it.
struct ViolationRecord {
  int64_t id = 0;  // assigned by the store
  SeriesKey series;
  spc::Rule rule = spc::Rule::kR1;
  spc::Phase phase = spc::Phase::kMonitoring;
  int stage = 0;
  int64_t first_index = 0, last_index = 0, count = 0;
  int64_t first_time_ms = 0, last_time_ms = 0;
  double value = 0;            // the first point, original unit
  double worst_value = 0;      // the point furthest from the center, original unit
  std::optional<double> deviation;  // worst point's deviation in σ̂; null on a degenerate stage
  double mean = 0, sigma = 0;  // the stage's μ̂, σ̂ (chart scale)
  spc::Limits limits;          // original unit
  // JSON text, opaque to the store: the ±10 points around the event (filled in as they arrive)
  // and the telemetry snapshot at its first point.
  std::string context_json;
  ViolationStatus status = ViolationStatus::kOpen;
  std::string status_by;       // who acknowledged or resolved it
  int64_t status_time_ms = 0;
  int64_t created_ms = 0;
};

}  // namespace llmscope::store

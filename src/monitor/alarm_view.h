// AlarmView: what a series' alarm detector (docs/spc.md §9) shows of itself: learning progress,
// its design at the series' sampling rate (budget, expected false alerts, detection delay) and
// where its statistic stands. For GET /api/series, the dashboard and /metrics. Pure.
#pragma once

#include <cstdint>
#include <optional>

#include "spc/error_surge_detector.h"
#include "spc/shift_detector.h"

namespace llmscope::monitor {

struct AlarmView {
  enum class Detector : uint8_t { kShift, kErrors };
  Detector detector = Detector::kShift;
  spc::BadDirection direction = spc::BadDirection::kUp;
  bool learning = true;
  int64_t progress = 0, needed = 0;  // baseline subgroups (shift) or calls (errors)
  int subgroup_size = 1;
  double budget_per_30d = 0;
  // The change whose detection delay is given: relative (0.2 = ×1.2) for a shift, the rise of
  // the error share for errors.
  double target = 0;
  // Known once the baseline is complete:
  std::optional<double> interval_ms;
  std::optional<double> expected_false_alerts_per_30d, expected_degraded_per_30d;
  std::optional<double> design_false_alerts_per_30d;
  std::optional<double> detection_delay_ms;  // a ×(1 + target_change) shift, or the error rise
  std::optional<double> threshold, degraded_threshold;
  std::optional<double> baseline;  // the level learnt: original unit, or the error share
  double statistic = 0;
  bool in_episode = false;
  bool degraded = false;
};

AlarmView ViewOf(const spc::ShiftDetector& d);
AlarmView ViewOf(const spc::ErrorSurgeDetector& d);

// The series' state: `learning` (its chart's baseline is incomplete), `violation` (an alarm
// episode is open), `degraded` (the early-warning level is crossed) or `in_control`. Chart-rule
// (info) firings never change it.
enum class SeriesState : uint8_t { kLearning, kInControl, kDegraded, kViolation };
const char* SeriesStateName(SeriesState s);
SeriesState StateOf(bool chart_learning, const AlarmView& alarm);

}  // namespace llmscope::monitor

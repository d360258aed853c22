#include "monitor/alarm_view.h"

#include <cmath>

namespace llmscope::monitor {

AlarmView ViewOf(const spc::ShiftDetector& d) {
  AlarmView v;
  v.detector = AlarmView::Detector::kShift;
  v.direction = d.config().bad;
  v.learning = d.learning();
  v.needed = d.config().baseline_subgroups;
  v.progress = d.learning() ? d.baseline_progress() : v.needed;
  v.subgroup_size = d.config().subgroup_size;
  v.budget_per_30d = d.config().budget.false_alerts_per_30d;
  v.target = d.config().budget.target_change;
  v.statistic = d.statistic();
  v.in_episode = d.in_episode();
  v.degraded = d.degraded();
  if (const std::optional<spc::ShiftDesign>& design = d.design()) {
    v.interval_ms = d.interval_ms();
    v.expected_false_alerts_per_30d = design->expected_false_alerts_per_30d;
    v.expected_degraded_per_30d = design->expected_degraded_per_30d;
    v.design_false_alerts_per_30d = design->design_false_alerts_per_30d;
    v.detection_delay_ms = design->detection_delay_ms;
    v.threshold = design->alert.h;
    v.degraded_threshold = design->degraded_h;
    v.baseline = std::exp(d.mean());
  }
  return v;
}

AlarmView ViewOf(const spc::ErrorSurgeDetector& d) {
  AlarmView v;
  v.detector = AlarmView::Detector::kErrors;
  v.learning = d.learning();
  v.needed = d.config().baseline_calls;
  v.progress = d.learning() ? d.baseline_progress() : v.needed;
  v.budget_per_30d = d.config().budget.false_alerts_per_30d;
  v.target = d.config().budget.error_rise;
  v.statistic = d.statistic();
  v.in_episode = d.in_episode();
  v.degraded = d.degraded();
  if (const std::optional<spc::ErrorDesign>& design = d.design()) {
    v.interval_ms = d.interval_ms();
    v.expected_false_alerts_per_30d = design->expected_false_alerts_per_30d;
    v.expected_degraded_per_30d = design->expected_degraded_per_30d;
    v.design_false_alerts_per_30d = design->design_false_alerts_per_30d;
    v.detection_delay_ms = design->detection_delay_ms;
    v.threshold = design->alert.h;
    v.degraded_threshold = design->degraded_h;
    v.baseline = design->p_hat;
  }
  return v;
}

const char* SeriesStateName(SeriesState s) {
  switch (s) {
    case SeriesState::kLearning:
      return "learning";
    case SeriesState::kDegraded:
      return "degraded";
    case SeriesState::kViolation:
      return "violation";
    case SeriesState::kInControl:
      break;
  }
  return "in_control";
}

SeriesState StateOf(bool chart_learning, const AlarmView& alarm) {
  if (alarm.in_episode) return SeriesState::kViolation;
  if (chart_learning) return SeriesState::kLearning;
  if (alarm.degraded) return SeriesState::kDegraded;
  return SeriesState::kInControl;
}

}  // namespace llmscope::monitor

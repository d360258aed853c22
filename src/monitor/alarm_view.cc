#include "monitor/alarm_view.h"

#include <cmath>

namespace llmscope::monitor {
namespace {

// What both detectors show alike: their standing, and their design once learnt.
template <typename Detector>
AlarmView CommonView(const Detector& d, int64_t needed, int64_t progress) {
  AlarmView v;
  v.learning = d.learning();
  v.needed = needed;
  v.progress = d.learning() ? progress : needed;
  v.budget_per_30d = d.config().budget.false_alerts_per_30d;
  v.statistic = d.statistic();
  v.in_episode = d.in_episode();
  v.degraded = d.degraded();
  if (const auto& design = d.design()) {
    v.interval_ms = d.interval_ms();
    v.expected_false_alerts_per_30d = design->expected_false_alerts_per_30d;
    v.expected_degraded_per_30d = design->expected_degraded_per_30d;
    v.design_false_alerts_per_30d = design->design_false_alerts_per_30d;
    v.detection_delay_ms = design->detection_delay_ms;
    v.threshold = design->alert.h;
    v.degraded_threshold = design->degraded_h;
  }
  return v;
}

}  // namespace

AlarmView ViewOf(const spc::ShiftDetector& d) {
  AlarmView v = CommonView(d, d.config().baseline_subgroups, d.baseline_progress());
  v.detector = AlarmView::Detector::kShift;
  v.direction = d.config().bad;
  v.subgroup_size = d.config().subgroup_size;
  v.target = d.config().budget.target_change;
  if (d.design()) v.baseline = std::exp(d.mean());
  return v;
}

AlarmView ViewOf(const spc::ErrorSurgeDetector& d) {
  AlarmView v = CommonView(d, d.config().baseline_calls, d.baseline_progress());
  v.detector = AlarmView::Detector::kErrors;
  v.target = d.config().budget.error_rise;
  if (d.design()) v.baseline = d.design()->p_hat;
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

#include "spc/error_surge_detector.h"

#include <algorithm>

namespace llmscope::spc {

Status Validate(const ErrorDetectorConfig& c) {
  if (c.baseline_calls < 50 || c.baseline_calls > 1000000)
    return Error{"invalid_alarm_config", "error_baseline_calls must be 50..1000000"};
  return Validate(c.budget);
}

ErrorSurgeDetector::ErrorSurgeDetector(const ErrorDetectorConfig& config) : config_(config) {}

CallVerdict ErrorSurgeDetector::Observe(int64_t index, int64_t time_ms, bool failed) {
  CallVerdict v;
  if (learning()) {
    if (baseline_calls_ == 0) baseline_first_time_ms_ = time_ms;
    ++baseline_calls_;
    baseline_failures_ += failed ? 1 : 0;
    if (baseline_calls_ == config_.baseline_calls) {
      interval_ms_ = std::max(1.0, static_cast<double>(time_ms - baseline_first_time_ms_) /
                                       static_cast<double>(baseline_calls_ - 1));
      design_ = DesignErrors(baseline_calls_, baseline_failures_, interval_ms_, config_.budget);
    }
    return v;
  }
  const BernoulliScheme& s = design_->alert;
  if (cusum_ == 0) {
    onset_index_ = index;
    onset_time_ms_ = time_ms;
    since_onset_calls_ = since_onset_failures_ = 0;
  }
  ++since_onset_calls_;
  since_onset_failures_ += failed ? 1 : 0;
  cusum_ = std::max(0, cusum_ + (failed ? s.up : -1));
  if (!in_episode_ && cusum_ >= s.h) {
    v.signal = true;
    in_episode_ = true;
  }
  if (in_episode_) {
    cusum_ = std::min(cusum_, s.h);
    if (cusum_ == 0) in_episode_ = false;
  }
  v.in_episode = in_episode_;
  v.onset_index = onset_index_;
  v.onset_time_ms = onset_time_ms_;
  v.onset_share =
      static_cast<double>(since_onset_failures_) / static_cast<double>(since_onset_calls_);
  return v;
}

bool ErrorSurgeDetector::degraded() const {
  return design_ && !in_episode_ && cusum_ >= design_->degraded_h;
}

}  // namespace llmscope::spc

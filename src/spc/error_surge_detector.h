// ErrorSurgeDetector: the alarm detector of one source's error rate (docs/spc.md §9), beside the
// exact p-chart of §6. A Bernoulli CUSUM on every call (Reynolds & Stoumbos 1999): its first
// `baseline_calls` calls are the baseline (p̂ = failures / calls), then DesignErrors fixes the
// in-control rate it guards (at least error_floor, and at least the upper confidence bound of p̂),
// the rise it detects fastest and the thresholds that meet the budget at the measured call
// interval. Crossing the alert level signals ERRORS (critical) and opens an episode that lasts
// until the CUSUM is back at 0; above the degraded level, outside an episode, the series is
// degraded (no alert).
//
// Pure state, O(1) memory, no clock. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.h"
#include "spc/alarm_design.h"

namespace llmscope::spc {

struct ErrorDetectorConfig {
  int baseline_calls = 600;  // 20 minutes at a 2 s probe
  AlarmBudget budget;
};

// Error "invalid_alarm_config".
Status Validate(const ErrorDetectorConfig& config);

struct CallVerdict {
  bool signal = false;      // ERRORS opened at this call
  bool in_episode = false;  // an episode is open after it
  // The first call after the CUSUM's last visit to 0: where the surge began, as estimated.
  int64_t onset_index = 0;
  int64_t onset_time_ms = 0;
  double onset_share = 0;  // the share of failed calls from the onset to this call
};

class ErrorSurgeDetector {
 public:
  explicit ErrorSurgeDetector(const ErrorDetectorConfig& config);  // config must be valid

  // Feeds the source's next call (its index among the source's calls, its time, and whether it
  // failed).
  CallVerdict Observe(int64_t index, int64_t time_ms, bool failed);

  bool learning() const { return !design_.has_value(); }
  int64_t baseline_progress() const { return baseline_calls_; }
  const ErrorDetectorConfig& config() const { return config_; }
  const std::optional<ErrorDesign>& design() const { return design_; }
  double interval_ms() const { return interval_ms_; }
  int statistic() const { return cusum_; }
  bool in_episode() const { return in_episode_; }
  bool degraded() const;

 private:
  ErrorDetectorConfig config_;
  int64_t baseline_calls_ = 0, baseline_failures_ = 0, baseline_first_time_ms_ = 0;
  std::optional<ErrorDesign> design_;
  double interval_ms_ = 0;
  int cusum_ = 0;
  bool in_episode_ = false;
  int64_t onset_index_ = 0, onset_time_ms_ = 0;
  int64_t since_onset_calls_ = 0, since_onset_failures_ = 0;
};

}  // namespace llmscope::spc

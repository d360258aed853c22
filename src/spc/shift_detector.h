// ShiftDetector: the alarm detector of one continuous metric's series (docs/spc.md §9). It
// decides what reaches a person, on top of the exact per-point chart, with a false-alert rate
// chosen in advance.
//
// Points are grouped into rational subgroups of n consecutive points (n = 15: 30 s at a 2 s
// probe). Each subgroup has two statistics of its log values: the 20 % trimmed mean (nearly as
// efficient as the mean on normal data, unmoved by a few slow outliers) and the median (unmoved
// by up to half of them). The first m complete subgroups (40) are the detector's baseline: for
// each statistic, μ̂ is the mean and σ̂ the standard deviation of the baseline's values after
// dropping those beyond 3.5 robust σ of their median, so σ̂ is estimated between subgroups and
// autocorrelation within a subgroup cannot shrink it. Then each subgroup's z = ±(statistic −
// μ̂)/σ̂ (the sign makes the metric's bad direction positive) is judged by the scheme DesignShift
// made for the series' measured sampling interval:
//   SHIFT (warning): the CUSUM of the trimmed means' z reaches h, a sustained change beyond the
//     tolerated band (two subgroups at least: one adds at most h/2);
//   JUMP (critical): one subgroup's median beyond the jump level, a sudden large change.
// Over the stage's first 24 hours the centers keep being refined: every subgroup judged in
// control (no episode, |z| < k) joins the baseline's mean, so that by the end of the first day
// μ̂ is the level over a whole daily cycle, not the level of the 20 minutes the baseline happened
// to see (learnt at the trough of a ±4 % cycle, the peak would otherwise sit 8 % above it). σ̂
// and the design stay as the baseline fixed them.
// A signal opens an alarm episode that lasts until the CUSUM is back at 0 (a JUMP sets it to h,
// so its episode too lasts until the level is back); within an episode nothing signals again,
// except a JUMP escalating a SHIFT episode. The CUSUM above its degraded level, outside an
// episode, is the series' early warning (`degraded`), which raises no alert.
//
// Pure state, O(n) memory, no clock: times come with the points. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "spc/alarm_design.h"
#include "spc/rule.h"

namespace llmscope::spc {

enum class BadDirection : uint8_t { kUp, kDown };  // latency and cost up; tokens/s down

struct ShiftDetectorConfig {
  int subgroup_size = 15;       // n
  int baseline_subgroups = 40;  // m
  double trim = 0.2;            // share trimmed from each end of a subgroup
  BadDirection bad = BadDirection::kUp;
  AlarmBudget budget;
};

// Error "invalid_alarm_config" naming the field out of range.
Status Validate(const ShiftDetectorConfig& config);

// The `trim` trimmed mean (0.2: a fifth dropped at each end) of `values`; sorts them.
double TrimmedMean(std::vector<double>& values, double trim);
// The median of values already sorted.
double SortedMedian(const std::vector<double>& sorted);

// A completed subgroup as the detector judged it.
struct SubgroupVerdict {
  int64_t first_index = 0, last_index = 0;  // indices of its first and last point
  int64_t last_time_ms = 0;
  double level = 0;       // the statistic in the original unit: exp(trimmed mean of logs)
  double z = 0;           // the trimmed mean's, in units of σ̂, positive in the bad direction
  double z_median = 0;    // the median's (both 0 while learning)
  double statistic = 0;   // the CUSUM after it
  std::optional<Rule> signal;  // kShift or kJump: an episode opened (or escalated) here
  bool in_episode = false;     // an alarm episode is open after this subgroup
  // The first point after the CUSUM's last visit to 0 before this subgroup: where the change
  // began, as the CUSUM estimates it (Page 1954).
  int64_t onset_index = 0;
  int64_t onset_time_ms = 0;
};

class ShiftDetector {
 public:
  explicit ShiftDetector(const ShiftDetectorConfig& config);  // config must be valid

  // Feeds the series' next point (original unit; index and time as the chart has them). A value
  // ≤ 0 or not finite is ignored. Returns the verdict when the point completes a subgroup.
  std::optional<SubgroupVerdict> Observe(int64_t index, int64_t time_ms, double value);

  // A new budget (valid) from the next subgroup: once the baseline is complete the thresholds
  // are designed anew from the same σ̂ and sampling interval, exactly those the budget would
  // have had from the start; the CUSUM, an open episode and the centers' refinement go on.
  void SetBudget(const AlarmBudget& budget);

  bool learning() const { return !design_.has_value(); }
  int baseline_progress() const { return static_cast<int>(baseline_.size()); }
  const ShiftDetectorConfig& config() const { return config_; }
  // Once the baseline is complete: its design, μ̂ and σ̂ (log scale), the sampling interval.
  const std::optional<ShiftDesign>& design() const { return design_; }
  double mean() const { return mean_; }
  double sigma() const { return sigma_; }
  double median_mean() const { return median_mean_; }
  double median_sigma() const { return median_sigma_; }
  double interval_ms() const { return interval_ms_; }
  double statistic() const { return cusum_; }
  bool in_episode() const { return episode_.has_value(); }
  std::optional<Rule> episode_rule() const { return episode_; }
  bool degraded() const;

 private:
  void Freeze();
  // The thresholds for config_.budget from the baseline's σ̂ and sampling interval.
  void Design();
  SubgroupVerdict Judge(double stat, double median);

  ShiftDetectorConfig config_;
  std::vector<double> subgroup_;  // log values of the open subgroup
  int64_t subgroup_first_index_ = 0, subgroup_first_time_ms_ = 0, last_index_ = 0,
          last_time_ms_ = 0;
  std::vector<double> baseline_, baseline_medians_;  // statistics of the baseline subgroups
  int64_t baseline_first_time_ms_ = 0;
  int64_t baseline_points_ = 0;
  std::optional<ShiftDesign> design_;
  double mean_ = 0, sigma_ = 0, median_mean_ = 0, median_sigma_ = 0, interval_ms_ = 0;
  double cusum_ = 0;
  int64_t onset_index_ = 0, onset_time_ms_ = 0;
  std::optional<Rule> episode_;
  // The refinement of the centers over the first day: subgroups left, and the sums so far
  // (baseline values kept included).
  int64_t refine_left_ = 0;
  double refine_count_ = 0, refine_sum_ = 0, refine_median_sum_ = 0;
};

}  // namespace llmscope::spc

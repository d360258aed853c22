#include "spc/shift_detector.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace llmscope::spc {
namespace {

Error Invalid(std::string message) { return Error{"invalid_alarm_config", std::move(message)}; }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return SortedMedian(v);
}

constexpr double kRefineMs = 24.0 * 3600 * 1000;

struct RobustEstimate {
  double mean = 0, sigma = 0;
  double kept = 0;  // values the estimates came from
};

// Robust between-subgroup estimates of one statistic: drop values beyond 3.5 robust σ of the
// median (a baseline with an incident in it must not widen the limits), then mean and sample σ,
// floored at 0.2 % (log scale) so that a constant series (a fixed price) gets finite limits.
RobustEstimate RobustMeanAndSigma(const std::vector<double>& values) {
  const double median = Median(values);
  std::vector<double> dev;
  dev.reserve(values.size());
  for (double x : values) dev.push_back(std::fabs(x - median));
  const double robust_sigma = 1.4826 * Median(dev);
  std::vector<double> kept;
  for (double x : values) {
    if (robust_sigma == 0 || std::fabs(x - median) <= 3.5 * robust_sigma) kept.push_back(x);
  }
  double sum = 0;
  for (double x : kept) sum += x;
  const double mean = sum / static_cast<double>(kept.size());
  double ss = 0;
  for (double x : kept) ss += (x - mean) * (x - mean);
  const double sd = kept.size() > 1 ? std::sqrt(ss / static_cast<double>(kept.size() - 1)) : 0;
  return {mean, std::max(sd, 0.002), static_cast<double>(kept.size())};
}

}  // namespace

Status Validate(const ShiftDetectorConfig& c) {
  if (c.subgroup_size < 1 || c.subgroup_size > 1000) return Invalid("subgroup_size must be 1..1000");
  if (c.baseline_subgroups < 10 || c.baseline_subgroups > 10000)
    return Invalid("baseline_subgroups must be 10..10000");
  if (!(c.trim >= 0 && c.trim < 0.5)) return Invalid("trim must be in [0, 0.5)");
  return Validate(c.budget);
}

double SortedMedian(const std::vector<double>& v) {
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double TrimmedMean(std::vector<double>& values, double trim) {
  std::sort(values.begin(), values.end());
  const size_t cut = static_cast<size_t>(std::floor(trim * static_cast<double>(values.size())));
  double sum = 0;
  for (size_t i = cut; i < values.size() - cut; ++i) sum += values[i];
  return sum / static_cast<double>(values.size() - 2 * cut);
}

ShiftDetector::ShiftDetector(const ShiftDetectorConfig& config) : config_(config) {
  subgroup_.reserve(static_cast<size_t>(config.subgroup_size));
}

std::optional<SubgroupVerdict> ShiftDetector::Observe(int64_t index, int64_t time_ms,
                                                      double value) {
  if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
  if (subgroup_.empty()) {
    subgroup_first_index_ = index;
    subgroup_first_time_ms_ = time_ms;
  }
  subgroup_.push_back(std::log(value));
  last_index_ = index;
  last_time_ms_ = time_ms;
  if (static_cast<int>(subgroup_.size()) < config_.subgroup_size) return std::nullopt;
  const double stat = TrimmedMean(subgroup_, config_.trim);
  const double median = SortedMedian(subgroup_);
  subgroup_.clear();
  if (!learning()) return Judge(stat, median);

  if (baseline_.empty()) baseline_first_time_ms_ = subgroup_first_time_ms_;
  baseline_.push_back(stat);
  baseline_medians_.push_back(median);
  SubgroupVerdict v;
  v.first_index = subgroup_first_index_;
  v.last_index = last_index_;
  v.last_time_ms = last_time_ms_;
  v.level = std::exp(stat);
  if (static_cast<int>(baseline_.size()) == config_.baseline_subgroups) Freeze();
  onset_index_ = last_index_ + 1;
  onset_time_ms_ = last_time_ms_;
  return v;
}

void ShiftDetector::Freeze() {
  const RobustEstimate trimmed = RobustMeanAndSigma(baseline_);
  const RobustEstimate medians = RobustMeanAndSigma(baseline_medians_);
  mean_ = trimmed.mean;
  sigma_ = trimmed.sigma;
  median_mean_ = medians.mean;
  median_sigma_ = medians.sigma;
  const double points = static_cast<double>(baseline_.size()) * config_.subgroup_size;
  interval_ms_ = std::max(1.0, static_cast<double>(last_time_ms_ - baseline_first_time_ms_) /
                                   std::max(1.0, points - 1));
  const double subgroup_ms = interval_ms_ * config_.subgroup_size;
  Design();
  refine_left_ = static_cast<int64_t>(kRefineMs / subgroup_ms);
  refine_count_ = trimmed.kept;
  refine_sum_ = trimmed.mean * trimmed.kept;
  refine_median_sum_ = medians.mean * trimmed.kept;
  baseline_ = {};
  baseline_medians_ = {};
}

void ShiftDetector::Design() {
  design_ = DesignShift(sigma_, median_sigma_, config_.baseline_subgroups,
                        interval_ms_ * config_.subgroup_size, config_.budget);
}

void ShiftDetector::SetBudget(const AlarmBudget& budget) {
  config_.budget = budget;
  if (design_) Design();
}

SubgroupVerdict ShiftDetector::Judge(double stat, double median) {
  const ShiftScheme& s = design_->alert;
  SubgroupVerdict v;
  v.first_index = subgroup_first_index_;
  v.last_index = last_index_;
  v.last_time_ms = last_time_ms_;
  v.level = std::exp(stat);
  v.z = (stat - mean_) / sigma_;
  v.z_median = (median - median_mean_) / median_sigma_;
  if (config_.bad == BadDirection::kDown) {
    v.z = -v.z;
    v.z_median = -v.z_median;
  }

  if (cusum_ == 0) {
    onset_index_ = subgroup_first_index_;
    onset_time_ms_ = subgroup_first_time_ms_;
  }
  cusum_ = std::max(0.0, cusum_ + std::min(v.z - s.k, s.clip));
  const bool jump = v.z_median > design_->jump;
  if (!episode_) {
    if (jump) {
      v.signal = Rule::kJump;
    } else if (cusum_ >= s.h) {
      v.signal = Rule::kShift;
    }
  } else if (jump && *episode_ == Rule::kShift) {
    v.signal = Rule::kJump;  // escalation
  }
  if (v.signal) episode_ = v.signal;
  if (jump) cusum_ = std::max(cusum_, s.h);
  if (episode_) {
    cusum_ = std::min(cusum_, s.h);  // the episode ends as soon as the level is back
    if (cusum_ == 0 && !v.signal) episode_.reset();
  }
  if (refine_left_ > 0) {
    --refine_left_;
    if (!episode_ && std::fabs(v.z) < s.k) {
      refine_count_ += 1;
      refine_sum_ += stat;
      refine_median_sum_ += median;
      mean_ = refine_sum_ / refine_count_;
      median_mean_ = refine_median_sum_ / refine_count_;
    }
  }
  v.statistic = cusum_;
  v.in_episode = episode_.has_value();
  v.onset_index = onset_index_;
  v.onset_time_ms = onset_time_ms_;
  return v;
}

bool ShiftDetector::degraded() const {
  return design_ && !episode_ && cusum_ > design_->degraded_h;
}

}  // namespace llmscope::spc

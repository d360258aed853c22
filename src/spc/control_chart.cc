#include "spc/control_chart.h"

#include <string>

namespace llmscope::spc {

Status Validate(const ChartConfig& c) {
  if (c.baseline_size < ChartConfig::kMinBaseline) {
    return Error{"invalid_chart_config", "baseline must be at least " +
                                             std::to_string(ChartConfig::kMinBaseline) +
                                             " points, got " + std::to_string(c.baseline_size)};
  }
  return Validate(c.rules);
}

ControlChart::ControlChart(const ChartConfig& config) : config_(config) {
  baseline_x_.reserve(config.baseline_size);
  baseline_y_.reserve(config.baseline_size);
}

Status ControlChart::Observe(double x, std::vector<Firing>& firings) {
  if (!IsValidInput(config_.transform, x)) {
    return Error{"invalid_value",
                 config_.transform == Transform::kLog
                     ? "value must be a finite number > 0 under the log transform"
                     : "value must be a finite number"};
  }
  const double y = ToChartScale(config_.transform, x);
  const int64_t index = next_index_++;
  if (frozen_) {
    if (RuleMask fired = evaluator_->Push(y)) {
      const Phase phase = index < review_until_ ? Phase::kBaseline : Phase::kMonitoring;
      AppendFirings(fired, index, phase, stages_.back(), x, y, firings);
    }
    return {};
  }
  baseline_x_.push_back(x);
  baseline_y_.push_back(y);
  if (static_cast<int>(baseline_y_.size()) == config_.baseline_size) Freeze(firings);
  return {};
}

void ControlChart::Freeze(std::vector<Firing>& firings) {
  // EstimateBaseline cannot fail here: B ≥ kMinBaseline ≥ 2 points.
  const Estimate e = EstimateBaseline(baseline_y_, config_.sigma_method).value();
  BeginFrozenStage(learning_start_, static_cast<int>(baseline_y_.size()), e);
  // Phase I review: the baseline is judged by the limits it produced.
  for (size_t i = 0; i < baseline_y_.size(); ++i) {
    if (RuleMask fired = evaluator_->Push(baseline_y_[i])) {
      AppendFirings(fired, learning_start_ + static_cast<int64_t>(i), Phase::kBaseline,
                    stages_.back(), baseline_x_[i], baseline_y_[i], firings);
    }
  }
  ReleaseBaseline();
}

void ControlChart::ReleaseBaseline() {
  baseline_x_ = {};
  baseline_y_ = {};
}

void ControlChart::StartNewStage(const ChartConfig& config) {
  config_ = config;
  StartNewStage();
}

void ControlChart::SetRules(const RuleConfig& rules) {
  config_.rules = rules;
  if (evaluator_) evaluator_->SetRules(rules);
}

void ControlChart::StartNewStage() {
  frozen_ = false;
  review_until_ = 0;
  evaluator_.reset();
  baseline_x_.clear();
  baseline_y_.clear();
  learning_start_ = next_index_;
}

Status ControlChart::StartStageFrom(std::span<const double> baseline) {
  std::vector<double> y;
  y.reserve(baseline.size());
  for (double x : baseline) {
    if (!IsValidInput(config_.transform, x)) {
      return Error{"invalid_value", "baseline holds a value the transform cannot take"};
    }
    y.push_back(ToChartScale(config_.transform, x));
  }
  Result<Estimate> e = EstimateBaseline(y, config_.sigma_method);
  if (!e) return e.error();
  StartKnownStage(*e, static_cast<int>(y.size()));
  return {};
}

void ControlChart::StartKnownStage(const Estimate& known, int baseline_size) {
  ReleaseBaseline();
  learning_start_ = next_index_;
  BeginFrozenStage(next_index_, baseline_size, known);
}

void ControlChart::ResumeFrozen(const Stage& stage, bool review_baseline) {
  config_.transform = stage.transform;
  config_.sigma_method = stage.sigma_method;
  stages_.assign(1, stage);
  frozen_ = true;
  evaluator_.emplace(config_.rules, stage.mean, stage.sigma);
  ReleaseBaseline();
  next_index_ = learning_start_ = stage.start_index;
  review_until_ = review_baseline ? stage.start_index + stage.baseline_size : 0;
  next_stage_number_ = stage.number + 1;
}

void ControlChart::ResumeLearning(const Stage& stage) {
  config_.baseline_size = stage.baseline_size;
  config_.transform = stage.transform;
  config_.sigma_method = stage.sigma_method;
  stages_.clear();
  frozen_ = false;
  evaluator_.reset();
  baseline_x_.clear();
  baseline_y_.clear();
  next_index_ = learning_start_ = stage.start_index;
  next_stage_number_ = stage.number;
}

void ControlChart::BeginFrozenStage(int64_t start, int baseline_size, const Estimate& e) {
  Stage s;
  s.number = next_stage_number_++;
  s.start_index = start;
  s.baseline_size = baseline_size;
  s.transform = config_.transform;
  s.sigma_method = config_.sigma_method;
  s.mean = e.mean;
  s.sigma = e.sigma;
  stages_.push_back(s);
  frozen_ = true;
  review_until_ = 0;  // a new stage's own baseline was reviewed when it froze, or is external
  evaluator_.emplace(config_.rules, s.mean, s.sigma);
}

std::optional<Stage> ControlChart::current_stage() const {
  if (!frozen_) return std::nullopt;
  return stages_.back();
}

std::optional<Estimate> ControlChart::provisional_estimate() const {
  if (frozen_ || static_cast<int>(baseline_y_.size()) < ChartConfig::kMinBaseline) {
    return std::nullopt;
  }
  return EstimateBaseline(baseline_y_, config_.sigma_method).value();
}

}  // namespace llmscope::spc

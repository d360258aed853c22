#include "spc/p_chart.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "spc/compensated_sum.h"

namespace llmscope::spc {

Status Validate(const PChartConfig& c) {
  if (c.subgroup_size < 2) return Error{"invalid_chart_config", "p-chart subgroups need n >= 2"};
  if (c.baseline_subgroups < 1) {
    return Error{"invalid_chart_config", "p-chart baseline needs at least 1 subgroup"};
  }
  if (!(c.k > 0) || !std::isfinite(c.k)) return Error{"invalid_chart_config", "p-chart k must be > 0"};
  return {};
}

PChartLimits ComputePChartLimits(double p_bar, int n, double k) {
  const double half_width = k * std::sqrt(p_bar * (1 - p_bar) / n);
  return PChartLimits{p_bar, std::min(1.0, p_bar + half_width), std::max(0.0, p_bar - half_width),
                      p_bar > 0 && p_bar < 1};
}

Stage PChartStage(double p_bar, const PChartConfig& config) {
  Stage s;
  s.baseline_size = config.subgroup_size * config.baseline_subgroups;
  s.transform = Transform::kNone;
  s.sigma_method = SigmaMethod::kStdDev;
  s.mean = p_bar;
  s.sigma = std::sqrt(p_bar * (1 - p_bar) / config.subgroup_size);
  return s;
}

Limits PChartStageLimits(const Stage& stage, double k) {
  Limits l = ChartScaleLimits(stage, k);
  for (double* x :
       {&l.center, &l.ucl, &l.lcl, &l.upper_2s, &l.lower_2s, &l.upper_1s, &l.lower_1s}) {
    *x = std::clamp(*x, 0.0, 1.0);
  }
  return l;
}

PChart::PChart(const PChartConfig& config) : config_(config) {
  baseline_p_.reserve(config.baseline_subgroups);
}

void PChart::Observe(bool failed, std::vector<PChartFiring>& firings) {
  ++calls_;
  failed_in_subgroup_ += failed ? 1 : 0;
  if (calls_ % config_.subgroup_size != 0) return;

  const double p = static_cast<double>(failed_in_subgroup_) / config_.subgroup_size;
  const int64_t subgroup = subgroups_++;
  failed_in_subgroup_ = 0;
  auto judge = [&](int64_t j, double share, Phase phase) {
    if (share > limits_->ucl || share < limits_->lcl) {
      firings.push_back(PChartFiring{j, (j + 1) * config_.subgroup_size - 1, share, phase});
    }
  };
  if (limits_) {
    judge(subgroup, p, Phase::kMonitoring);
    return;
  }
  baseline_p_.push_back(p);
  if (static_cast<int>(baseline_p_.size()) < config_.baseline_subgroups) return;
  limits_ = ComputePChartLimits(Mean(baseline_p_), config_.subgroup_size, config_.k);
  for (size_t j = 0; j < baseline_p_.size(); ++j) {
    judge(static_cast<int64_t>(j), baseline_p_[j], Phase::kBaseline);
  }
  baseline_p_.clear();
}

}  // namespace llmscope::spc

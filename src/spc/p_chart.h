// The p-chart of probe errors (docs/spc.md §6): subgroups of n consecutive calls, p̄ from the
// baseline subgroups, limits p̄ ± 3√(p̄(1 − p̄)/n) clipped to [0, 1], and R1 on each subgroup's share
// of failed calls. Streaming, O(1) per call. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "spc/firing.h"
#include "spc/stage.h"

namespace llmscope::spc {

struct PChartConfig {
  int subgroup_size = 20;      // n
  int baseline_subgroups = 5;  // p̄ from this many subgroups (5 × 20 = the default B of 100)
  double k = 3.0;
};

Status Validate(const PChartConfig& config);

struct PChartLimits {
  double p_bar = 0;
  double ucl = 0, lcl = 0;  // clipped to [0, 1]
  // False when p̄ is 0 or 1: σ is 0 and the limits say nothing; any subgroup off p̄ fires R1.
  bool estimable = false;
};

PChartLimits ComputePChartLimits(double p_bar, int subgroup_size, double k);

// The frozen p-chart as a Stage, for what keeps and shows limits as stages (the store, the API,
// violation records): μ̂ = p̄ and σ̂ = √(p̄(1 − p̄)/n), the binomial standard deviation of a
// subgroup's share, so that μ̂ ± kσ̂ are the p-chart's limits before clipping; transform none,
// σ method `stddev` (the binomial one: no moving ranges). σ̂ = 0 (degenerate) exactly when the
// limits are not estimable. baseline_size counts calls (n × baseline subgroups); number and
// start_index are left to the caller.
Stage PChartStage(double p_bar, const PChartConfig& config);

// Center, limits and zone boundaries (μ̂ ± σ̂, 2σ̂, kσ̂) of a p-chart stage, clipped to [0, 1].
Limits PChartStageLimits(const Stage& stage, double k);

// R1 on a subgroup: its share of failures is beyond the limits (strictly).
struct PChartFiring {
  int64_t subgroup = 0;         // 0-based subgroup index
  int64_t last_call_index = 0;  // index of the subgroup's last call in the series
  double p = 0;                 // share of failed calls in the subgroup
  Phase phase = Phase::kMonitoring;
};

class PChart {
 public:
  explicit PChart(const PChartConfig& config);  // config must be valid

  // Adds one probe call. When it completes a subgroup, the subgroup is judged; when it completes
  // the baseline, p̄ is frozen and the baseline subgroups are reviewed (Phase I, kBaseline).
  void Observe(bool failed, std::vector<PChartFiring>& firings);

  std::optional<PChartLimits> limits() const { return limits_; }  // nullopt while learning
  int64_t calls() const { return calls_; }
  // Shares of failures of the complete subgroups kept for the baseline (empty once frozen).
  const std::vector<double>& baseline_shares() const { return baseline_p_; }

 private:
  PChartConfig config_;
  int64_t calls_ = 0;
  int64_t subgroups_ = 0;
  int failed_in_subgroup_ = 0;
  std::vector<double> baseline_p_;
  std::optional<PChartLimits> limits_;
};

}  // namespace llmscope::spc

// The design arithmetic of the alarm detectors (docs/spc.md §9): run lengths of one-sided CUSUM
// schemes computed by Markov chain, the thresholds that give a chosen in-control average run
// length (ARL), and the allowance for the estimation error of a Phase I sample. Pure: no I/O,
// no clock; every function is deterministic.
//
// References: Page (1954) for the CUSUM; Brook & Evans (1972) for ARLs by Markov chain; Lucas
// (1982) for the combined Shewhart–CUSUM; Lucas & Crosier (1982) for bounding one observation's
// influence; Reynolds & Stoumbos (1999) for the Bernoulli CUSUM; Goedhart, Schoonhoven & Does
// (2017) for limits that hold their in-control performance whatever the Phase I sample was.
#pragma once

#include <cstdint>
#include <limits>

#include "core/result.h"

namespace llmscope::spc {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

double NormalCdf(double x);
// Φ⁻¹(p) for p in (0, 1) (Acklam's rational approximation refined by one Newton step: error
// below 1e-12 relative on (1e-300, 1 − 1e-16)).
double NormalQuantile(double p);
// The p-quantile of χ² with `dof` degrees of freedom (Wilson & Hilferty 1931: within 1 % for
// dof ≥ 5 at the tail probabilities used here).
double ChiSquareQuantile(double p, double dof);

// The distribution of a standardized statistic z: Normal(mean, sd²).
struct NormalModel {
  double mean = 0;
  double sd = 1;
};

// A one-sided CUSUM on standardized statistics z_j with a bounded increment:
//   S_j = max(0, S_{j−1} + min(z_j − k, clip)), a signal when S_j ≥ h.
// `clip` bounds what one observation adds to S, so a single outlying subgroup cannot make a
// signal when clip < h.
struct ShiftScheme {
  double k = 0.5;
  double h = 5;
  double clip = kInfinity;
};

// The average number of observations to the first signal from S_0 = 0 when z ~ `z` i.i.d.
// (Brook & Evans' chain with `states` transient states). 64 states: within 0.3 % of
// Montgomery's table, within 5 % of 200 states for h up to 20, erring low (so the thresholds
// designed with it err high), at a quarter of the cost of 100: a series' design takes ~5 ms.
double ShiftArl(const ShiftScheme& scheme, NormalModel z, int states = 64);

// The smallest h (to 1e-3) whose scheme, with clip = clip_fraction · h, has ShiftArl ≥ `target`
// under `z`; capped at 200 (reached only when the target cannot be met: z's mean above k).
double ShiftThresholdFor(double target, ShiftScheme scheme, double clip_fraction, NormalModel z);

// A Bernoulli CUSUM on each call, in integer units of the log-likelihood ratio of p1 against p0:
//   S_j = max(0, S_{j−1} + (failed ? up : −1)), a signal when S_j ≥ h.
// up = round(ln(p1/p0) / ln((1 − p0)/(1 − p1))) (Reynolds & Stoumbos 1999, with integer scaling).
struct BernoulliScheme {
  int up = 1;
  int h = 1;
};
BernoulliScheme BernoulliSchemeFor(double p0, double p1);  // h left 1

// The average number of calls to the first signal from S_0 = 0 when each call fails with
// probability p, exactly (the chain's h states, solved as the banded system it is). ∞ for p = 0.
double BernoulliArl(const BernoulliScheme& scheme, double p);
// The smallest h with BernoulliArl ≥ target at p (capped at 100,000).
int BernoulliThresholdFor(double target, BernoulliScheme scheme, double p);

// What the detectors are designed for. Budgets are expected false signals per 30 days; sizes of
// changes are relative (0.2 = +20 %).
struct AlarmBudget {
  double false_alerts_per_30d = 1.0;        // SHIFT + JUMP (or ERRORS) together
  double degraded_per_30d = 30.0 / 7.0;     // the early-warning (degraded) level: about weekly
  double tolerance = 0.05;                  // a change this small is no incident
  double target_change = 0.20;              // the change to detect fastest
  double jump_change = 0.50;                // the least change a JUMP signal must show
  double jump_share = 0.25;                 // share of the alert budget given to JUMP
  double confidence = 0.90;                 // the design holds if the estimates err by up to this bound
  double error_floor = 0.002;               // ERRORS: the in-control error rate is at least this
  double error_rise = 0.05;                 // ERRORS: the rise of the error rate to detect fastest
  friend bool operator==(const AlarmBudget&, const AlarmBudget&) = default;
};

// Error "invalid_alarm_config" naming the field out of range.
Status Validate(const AlarmBudget& budget);

inline constexpr double kMsPer30Days = 30.0 * 86400.0 * 1000.0;

// A SHIFT/JUMP detector's design on the log scale, from `baseline_subgroups` subgroups, one
// every `subgroup_ms`: SHIFT is the CUSUM of the subgroups' trimmed means (estimated σ̂
// `sigma`), JUMP a Shewhart level on their medians (σ̂ `sigma_median`: the median is the more
// robust statistic, for the single-subgroup decision, the trimmed mean the more efficient, for
// the accumulated one). The budget is split: jump_share to JUMP, the rest to SHIFT; their
// false-alert rates are added (an upper bound: the two statistics are positively correlated).
struct ShiftDesign {
  ShiftScheme alert;        // units of σ̂: SHIFT when S > h
  double jump = 0;          // units of σ̂_median: JUMP when the median's z passes it
  double degraded_h = 0;    // the early-warning level of S (same k and clip)
  NormalModel guard;        // the in-control z of the trimmed mean the design assumes (see .cc)
  NormalModel guard_median; // the same for the median
  // Computed at the estimates (z ~ N(0, 1) in control), in signals per 30 days:
  double expected_false_alerts_per_30d = 0;
  double expected_degraded_per_30d = 0;
  // At the guard model (what the design promises at worst, within its confidence):
  double design_false_alerts_per_30d = 0;
  // Expected delay from a sustained change of target_change (a step at a random moment) to the
  // alert, in ms: (ARL₁ + ½) subgroups (half a subgroup's wait for the first shifted one).
  double detection_delay_ms = 0;
};
ShiftDesign DesignShift(double sigma, double sigma_median, int baseline_subgroups,
                        double subgroup_ms, const AlarmBudget& budget);

// The ERRORS detector's design from a baseline of `calls` calls with `failures` failed, one call
// every `call_ms`.
struct ErrorDesign {
  BernoulliScheme alert;
  int degraded_h = 0;
  double p_hat = 0;    // failures / calls
  double p_guard = 0;  // in-control rate designed for: max(error_floor, upper confidence bound)
  double p_target = 0; // p_guard + error_rise
  double expected_false_alerts_per_30d = 0;  // at p_hat (0 when p_hat = 0)
  double expected_degraded_per_30d = 0;
  double design_false_alerts_per_30d = 0;    // at p_guard
  double detection_delay_ms = 0;  // to a rise to p_hat + error_rise: ARL₁ calls
};
ErrorDesign DesignErrors(int64_t calls, int64_t failures, double call_ms,
                         const AlarmBudget& budget);

}  // namespace llmscope::spc

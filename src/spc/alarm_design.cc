#include "spc/alarm_design.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace llmscope::spc {
namespace {

// Solves A x = b in place by Gaussian elimination with partial pivoting (A is n × n, row-major).
// The chains here are small (≤ a few hundred states) and their matrices dense, so this is the
// whole linear algebra needed; no packaged solver is worth a dependency for it.
std::vector<double> SolveDense(std::vector<double> a, std::vector<double> b, int n) {
  for (int c = 0; c < n; ++c) {
    int pivot = c;
    for (int r = c + 1; r < n; ++r) {
      if (std::fabs(a[r * n + c]) > std::fabs(a[pivot * n + c])) pivot = r;
    }
    if (pivot != c) {
      for (int j = 0; j < n; ++j) std::swap(a[c * n + j], a[pivot * n + j]);
      std::swap(b[c], b[pivot]);
    }
    const double d = a[c * n + c];
    for (int r = c + 1; r < n; ++r) {
      const double f = a[r * n + c] / d;
      if (f == 0) continue;
      for (int j = c; j < n; ++j) a[r * n + j] -= f * a[c * n + j];
      b[r] -= f * b[c];
    }
  }
  std::vector<double> x(n);
  for (int i = n - 1; i >= 0; --i) {
    double s = b[i];
    for (int j = i + 1; j < n; ++j) s -= a[i * n + j] * x[j];
    x[i] = s / a[i * n + i];
  }
  return x;
}

// The smallest threshold in (0, cap] whose ARL reaches `target`, to `resolution` (ARLs grow with
// the threshold): doubling from 1 to bracket it, then bisection. `cap` when none does.
template <typename T, typename Arl>
T SmallestReaching(double target, T cap, T resolution, Arl arl) {
  T lo = 0, hi = 1;
  while (hi < cap && arl(hi) < target) {
    lo = hi;
    hi = std::min(cap, hi * 2);
  }
  if (arl(hi) < target) return cap;
  while (hi - lo > resolution) {
    const T mid = lo + (hi - lo) / 2;
    (arl(mid) < target ? lo : hi) = mid;
  }
  return hi;
}

double ArlsToPer30Days(double arl, double step_ms) {
  if (!std::isfinite(arl) || arl <= 0) return 0;
  return kMsPer30Days / (arl * step_ms);
}

Error Invalid(std::string message) { return Error{"invalid_alarm_config", std::move(message)}; }

}  // namespace

Status Validate(const AlarmBudget& b) {
  auto positive = [](double x) { return x > 0 && std::isfinite(x); };
  if (!positive(b.false_alerts_per_30d)) return Invalid("false_alerts_per_30d must be > 0");
  if (!positive(b.degraded_per_30d)) return Invalid("degraded_per_30d must be > 0");
  if (!(b.tolerance >= 0) || !(b.target_change > b.tolerance) || !std::isfinite(b.target_change))
    return Invalid("need 0 <= tolerance < target_change");
  if (!positive(b.jump_change)) return Invalid("jump_change must be > 0");
  if (!(b.jump_share > 0 && b.jump_share < 1)) return Invalid("jump_share must be in (0, 1)");
  if (!(b.confidence >= 0.5 && b.confidence < 1)) return Invalid("confidence must be in [0.5, 1)");
  if (!(b.error_floor > 0 && b.error_floor < 0.5)) return Invalid("error_floor must be in (0, 0.5)");
  if (!(b.error_rise > 0 && b.error_rise < 0.5)) return Invalid("error_rise must be in (0, 0.5)");
  return {};
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double NormalQuantile(double p) {
  if (p <= 0) return -kInfinity;
  if (p >= 1) return kInfinity;
  // Acklam's coefficients.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double low = 0.02425;
  double x = 0;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Newton step on Φ(x) = p.
  const double e = NormalCdf(x) - p;
  const double density = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
  if (density > 0) x -= e / density;
  return x;
}

double ChiSquareQuantile(double p, double dof) {
  const double z = NormalQuantile(p);
  const double c = 2.0 / (9.0 * dof);
  const double t = 1 - c + z * std::sqrt(c);
  return dof * t * t * t;
}

double ShiftArl(const ShiftScheme& s, NormalModel z, int states) {
  const int n = std::max(states, 2);
  const double h = std::max(s.h, 1e-9);
  const double w = 2 * h / (2 * n - 1);  // state i holds S in [(i − ½)w, (i + ½)w), state 0 [0, ½w)
  // P(increment < t): the increment is min(z − k, clip).
  auto below = [&](double t) {
    if (t > s.clip) return 1.0;
    return NormalCdf((s.k + t - z.mean) / z.sd);
  };
  std::vector<double> a(static_cast<size_t>(n) * n, 0.0), b(n, 1.0);
  for (int i = 0; i < n; ++i) {
    const double m = i * w;
    a[i * n + i] += 1;
    double prev = below(0.5 * w - m);
    a[i * n + 0] -= prev;
    for (int j = 1; j < n; ++j) {
      const double next = below((j + 0.5) * w - m);
      a[i * n + j] -= next - prev;
      prev = next;
    }
  }
  return SolveDense(std::move(a), std::move(b), n)[0];
}

double ShiftThresholdFor(double target, ShiftScheme scheme, double clip_fraction, NormalModel z) {
  return SmallestReaching(target, 200.0, 1e-3, [&](double h) {
    ShiftScheme s = scheme;
    s.h = h;
    if (clip_fraction > 0) s.clip = clip_fraction * h;
    return ShiftArl(s, z);
  });
}

BernoulliScheme BernoulliSchemeFor(double p0, double p1) {
  const double up = std::log(p1 / p0) / std::log((1 - p0) / (1 - p1));
  return BernoulliScheme{std::max(1, static_cast<int>(std::lround(up))), 1};
}

double BernoulliArl(const BernoulliScheme& s, double p) {
  if (p <= 0) return kInfinity;
  const int n = std::max(s.h, 1), up = std::max(s.up, 1);
  const double q = 1 - p;
  // L_i = 1 + q L_{max(i−1, 0)} + p L_{i+up} (0 beyond the threshold): a banded system (one
  // sub-diagonal, `up` super-diagonals), stored by row from column i − 1 to i + up and solved
  // without pivoting (its matrix is an M-matrix, so elimination is stable).
  const int width = up + 2;
  std::vector<double> band(static_cast<size_t>(n) * width, 0.0), rhs(n, 1.0);
  auto at = [&](int row, int col) -> double& { return band[row * width + (col - row + 1)]; };
  for (int i = 0; i < n; ++i) {
    at(i, i) += 1;
    at(i, std::max(i - 1, 0)) -= q;
    if (i + up < n) at(i, i + up) -= p;
  }
  for (int c = 0; c + 1 < n; ++c) {
    const double f = at(c + 1, c) / at(c, c);
    if (f == 0) continue;
    for (int j = c; j <= std::min(n - 1, c + up); ++j) at(c + 1, j) -= f * at(c, j);
    rhs[c + 1] -= f * rhs[c];
  }
  std::vector<double> x(n);
  for (int i = n - 1; i >= 0; --i) {
    double v = rhs[i];
    for (int j = i + 1; j <= std::min(n - 1, i + up); ++j) v -= at(i, j) * x[j];
    x[i] = v / at(i, i);
  }
  return x[0];
}

int BernoulliThresholdFor(double target, BernoulliScheme scheme, double p) {
  return SmallestReaching(target, 100000, 1, [&](int h) {
    scheme.h = h;
    return BernoulliArl(scheme, p);
  });
}

ShiftDesign DesignShift(double sigma, double sigma_median, int baseline_subgroups,
                        double subgroup_ms, const AlarmBudget& budget) {
  const double tolerance = std::log1p(budget.tolerance);
  const double target = std::log1p(budget.target_change);
  const double jump = std::log1p(budget.jump_change);
  const double m = std::max(baseline_subgroups, 2);
  const double subgroups_per_30d = kMsPer30Days / subgroup_ms;
  // The alert budget as signals per subgroup, split between SHIFT and JUMP.
  const double alert_rate = budget.false_alerts_per_30d / subgroups_per_30d;
  const double jump_rate = budget.jump_share * alert_rate;
  const double shift_arl = 1 / ((1 - budget.jump_share) * alert_rate);
  const double degraded_arl = subgroups_per_30d / budget.degraded_per_30d;

  ShiftDesign d;
  // Guarded in control: the level may sit `tolerance` above the baseline (a daily cycle, a slow
  // wander that is no incident), μ̂ may err upwards by its one-sided `confidence` bound, and σ
  // may exceed σ̂ by the upper `confidence` bound of a σ estimated from m subgroups.
  const double mean_error = NormalQuantile(budget.confidence) / std::sqrt(m);
  const double sd_ratio = std::sqrt((m - 1) / ChiSquareQuantile(1 - budget.confidence, m - 1));
  d.guard = {tolerance / sigma + mean_error, sd_ratio};
  d.guard_median = {tolerance / sigma_median + mean_error, sd_ratio};
  // Reference value halfway between the tolerated level and the level to detect (Page 1954).
  d.alert.k = (tolerance + target) / (2 * sigma);
  // At least 1: a SHIFT needs S to reach a full σ̂ beyond the reference, over two subgroups at
  // least (each adds at most h/2), however narrow the series.
  d.alert.h = std::max(1.0, ShiftThresholdFor(shift_arl, d.alert, 0.5, d.guard));
  d.alert.clip = 0.5 * d.alert.h;
  d.jump = std::max(jump / sigma_median, d.guard_median.mean + d.guard_median.sd *
                                                                  NormalQuantile(1 - jump_rate));
  const ShiftScheme degraded{d.alert.k, 0, d.alert.clip};
  d.degraded_h = std::min(d.alert.h, ShiftThresholdFor(degraded_arl, degraded, 0, d.guard));

  auto per_30d = [&](const ShiftScheme& s, NormalModel z, NormalModel z_median) {
    const double p_jump = 1 - NormalCdf((d.jump - z_median.mean) / z_median.sd);
    return (1 / ShiftArl(s, z) + p_jump) * subgroups_per_30d;
  };
  const NormalModel nominal{0, 1};
  d.expected_false_alerts_per_30d = per_30d(d.alert, nominal, nominal);
  d.design_false_alerts_per_30d = per_30d(d.alert, d.guard, d.guard_median);
  ShiftScheme early = degraded;
  early.h = d.degraded_h;
  d.expected_degraded_per_30d = ArlsToPer30Days(ShiftArl(early, nominal), subgroup_ms);
  const double arl1 = ShiftArl(d.alert, NormalModel{target / sigma, 1});
  d.detection_delay_ms = (arl1 + 0.5) * subgroup_ms;
  return d;
}

ErrorDesign DesignErrors(int64_t calls, int64_t failures, double call_ms,
                         const AlarmBudget& budget) {
  ErrorDesign d;
  const double n = static_cast<double>(std::max<int64_t>(calls, 1));
  d.p_hat = static_cast<double>(failures) / n;
  // Wilson's score interval, upper end at `confidence`.
  const double z = NormalQuantile(budget.confidence), z2 = z * z;
  const double center = (d.p_hat + z2 / (2 * n)) / (1 + z2 / n);
  const double half =
      z * std::sqrt(d.p_hat * (1 - d.p_hat) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  d.p_guard = std::clamp(center + half, budget.error_floor, 0.9);
  d.p_target = std::min(0.99, d.p_guard + budget.error_rise);
  const double arl_alert = kMsPer30Days / (budget.false_alerts_per_30d * call_ms);
  const double arl_degraded = kMsPer30Days / (budget.degraded_per_30d * call_ms);
  d.alert = BernoulliSchemeFor(d.p_guard, d.p_target);
  d.alert.h = BernoulliThresholdFor(arl_alert, d.alert, d.p_guard);
  d.degraded_h = std::min(d.alert.h, BernoulliThresholdFor(arl_degraded, d.alert, d.p_guard));
  d.expected_false_alerts_per_30d = ArlsToPer30Days(BernoulliArl(d.alert, d.p_hat), call_ms);
  BernoulliScheme early = d.alert;
  early.h = d.degraded_h;
  d.expected_degraded_per_30d = ArlsToPer30Days(BernoulliArl(early, d.p_hat), call_ms);
  d.design_false_alerts_per_30d = ArlsToPer30Days(BernoulliArl(d.alert, d.p_guard), call_ms);
  d.detection_delay_ms =
      BernoulliArl(d.alert, std::min(0.99, d.p_hat + budget.error_rise)) * call_ms;
  return d;
}

}  // namespace llmscope::spc

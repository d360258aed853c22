// Seeded generators of probe-like latency series for the alarm tests: healthy shapes that must
// raise no alert (i.i.d. log-normal, autocorrelated, with slow outliers, with a daily cycle, all
// of these mixed) and the incidents that must be alerted (a sustained step, a drift).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace llmscope::testing {

struct LatencyShape {
  std::string name;
  double log_sd = 0.15;      // marginal standard deviation of ln(latency)
  double phi = 0;            // AR(1) coefficient in log space
  double daily_cycle = 0;    // relative amplitude of a 24 h sinusoid on the median
  double outlier_share = 0;  // share of calls ×3 to ×8 slower
};

// The healthy shapes the alarm budget is measured on (bench/alarm_budget.cc, tests).
inline std::vector<LatencyShape> HealthyShapes() {
  return {{"narrow", 0.15, 0, 0, 0},   {"wide", 0.35, 0, 0, 0},
          {"ar1", 0.15, 0.4, 0, 0},    {"outliers", 0.15, 0, 0, 0.01},
          {"daily", 0.15, 0, 0.04, 0}, {"mixed", 0.15, 0.4, 0.04, 0.005}};
}

// A generator of one series: Next(t_s) is the latency at time t_s (seconds since the start),
// times `factor` (an incident's multiplier, 1 when healthy).
class LatencyGenerator {
 public:
  LatencyGenerator(const LatencyShape& shape, double median_ms, uint64_t seed)
      : shape_(shape), median_ms_(median_ms), rng_(seed) {
    phase_ = std::uniform_real_distribution<double>(0, 2 * M_PI)(rng_);
  }

  double Next(double t_s, double factor = 1.0) {
    const double innovation = shape_.log_sd * std::sqrt(1 - shape_.phi * shape_.phi);
    ar_ = shape_.phi * ar_ + innovation * normal_(rng_);
    double y = std::log(median_ms_ * factor) + ar_ +
               std::log1p(shape_.daily_cycle * std::sin(2 * M_PI * t_s / 86400 + phase_));
    if (shape_.outlier_share > 0 && uniform_(rng_) < shape_.outlier_share) {
      y += std::log(3 + 5 * uniform_(rng_));
    }
    return std::exp(y);
  }

 private:
  LatencyShape shape_;
  double median_ms_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0, 1};
  std::uniform_real_distribution<double> uniform_{0, 1};
  double phase_ = 0, ar_ = 0;
};

}  // namespace llmscope::testing

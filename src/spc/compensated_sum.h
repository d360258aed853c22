// Compensated (Neumaier) summation and the two-pass mean and standard deviation built on it
// (docs/spc.md §8: results agree with a naive two-pass computation to 1e-9 relative).
#pragma once

#include <cmath>
#include <span>

namespace llmscope::spc {

class CompensatedSum {
 public:
  void Add(double x) {
    double t = sum_ + x;
    if (std::fabs(sum_) >= std::fabs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

// Mean of `x`; 0 for an empty span.
double Mean(std::span<const double> x);
// Sample standard deviation (n − 1) of `x` around `mean`; 0 for fewer than 2 values.
double SampleStdDev(std::span<const double> x, double mean);

}  // namespace llmscope::spc

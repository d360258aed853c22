#include "spc/baseline.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "spc/compensated_sum.h"

namespace llmscope::spc {

std::optional<SigmaMethod> ParseSigmaMethod(std::string_view name) {
  if (name == "mr_mean") return SigmaMethod::kMrMean;
  if (name == "mr_median") return SigmaMethod::kMrMedian;
  if (name == "stddev") return SigmaMethod::kStdDev;
  return std::nullopt;
}

std::string_view SigmaMethodName(SigmaMethod m) {
  switch (m) {
    case SigmaMethod::kMrMean: return "mr_mean";
    case SigmaMethod::kMrMedian: return "mr_median";
    case SigmaMethod::kStdDev: return "stddev";
  }
  return "mr_mean";
}

Result<Estimate> EstimateBaseline(std::span<const double> y, SigmaMethod method) {
  if (y.size() < 2) {
    return Error{"too_few_points",
                 "a baseline needs at least 2 points, got " + std::to_string(y.size())};
  }
  Estimate e;
  e.mean = Mean(y);
  switch (method) {
    case SigmaMethod::kMrMean: {
      CompensatedSum mr;
      for (size_t i = 1; i < y.size(); ++i) mr.Add(std::fabs(y[i] - y[i - 1]));
      e.sigma = mr.value() / static_cast<double>(y.size() - 1) / kD2;
      break;
    }
    case SigmaMethod::kMrMedian: {
      std::vector<double> mr(y.size() - 1);
      for (size_t i = 1; i < y.size(); ++i) mr[i - 1] = std::fabs(y[i] - y[i - 1]);
      std::sort(mr.begin(), mr.end());
      size_t n = mr.size();
      double median = n % 2 == 1 ? mr[n / 2] : (mr[n / 2 - 1] + mr[n / 2]) / 2.0;
      e.sigma = median / kMedianMrFactor;
      break;
    }
    case SigmaMethod::kStdDev:
      e.sigma = SampleStdDev(y, e.mean);
      break;
  }
  return e;
}

}  // namespace llmscope::spc

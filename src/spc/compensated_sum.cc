#include "spc/compensated_sum.h"

namespace llmscope::spc {

double Mean(std::span<const double> x) {
  if (x.empty()) return 0;
  CompensatedSum s;
  for (double v : x) s.Add(v);
  return s.value() / static_cast<double>(x.size());
}

double SampleStdDev(std::span<const double> x, double mean) {
  if (x.size() < 2) return 0;
  CompensatedSum s;
  for (double v : x) s.Add((v - mean) * (v - mean));
  return std::sqrt(s.value() / static_cast<double>(x.size() - 1));
}

}  // namespace llmscope::spc

#include "spc/capability.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "spc/compensated_sum.h"

namespace llmscope::spc {

Result<Capability> ComputeCapability(std::span<const double> values, const Stage& stage,
                                     const SpecLimits& spec) {
  const Transform t = stage.transform;
  if (!spec.usl && !spec.lsl) return Error{"invalid_spec", "no spec limit given"};
  if ((spec.usl && !IsValidInput(t, *spec.usl)) || (spec.lsl && !IsValidInput(t, *spec.lsl))) {
    return Error{"invalid_spec", "a spec limit is not a value the chart's transform can take"};
  }
  if (spec.usl && spec.lsl && *spec.lsl >= *spec.usl) {
    return Error{"invalid_spec", "LSL must be below USL"};
  }
  std::vector<double> y;
  y.reserve(values.size());
  Capability c;
  c.n = static_cast<int64_t>(values.size());
  int64_t beyond = 0;
  for (double x : values) {
    if (!IsValidInput(t, x)) return Error{"invalid_value", "window holds an invalid value"};
    y.push_back(ToChartScale(t, x));
    beyond += (spec.usl && x > *spec.usl) || (spec.lsl && x < *spec.lsl);
  }
  if (c.n > 0) c.share_beyond_spec = static_cast<double>(beyond) / static_cast<double>(c.n);

  const bool has_usl = spec.usl.has_value(), has_lsl = spec.lsl.has_value();
  const double usl = has_usl ? ToChartScale(t, *spec.usl) : 0;
  const double lsl = has_lsl ? ToChartScale(t, *spec.lsl) : 0;
  const double mu = stage.mean;
  // One formula for the within (σ̂) and overall (s) indices.
  auto indices = [&](double sigma, std::optional<double>& p, std::optional<double>& pk) {
    if (!(sigma > 0)) return;
    if (has_usl && has_lsl) p = (usl - lsl) / (6 * sigma);
    double k = std::numeric_limits<double>::infinity();
    if (has_usl) k = std::min(k, (usl - mu) / (3 * sigma));
    if (has_lsl) k = std::min(k, (mu - lsl) / (3 * sigma));
    pk = k;
  };
  indices(stage.sigma, c.cp, c.cpk);
  indices(SampleStdDev(y, Mean(y)), c.pp, c.ppk);
  return c;
}

}  // namespace llmscope::spc

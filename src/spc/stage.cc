#include "spc/stage.h"

#include <algorithm>

namespace llmscope::spc {

Limits ChartScaleLimits(const Stage& s, double k) {
  Limits l;
  l.center = s.mean;
  l.ucl = s.mean + k * s.sigma;
  l.lcl = s.mean - k * s.sigma;
  l.upper_2s = s.mean + 2 * s.sigma;
  l.lower_2s = s.mean - 2 * s.sigma;
  l.upper_1s = s.mean + s.sigma;
  l.lower_1s = s.mean - s.sigma;
  return l;
}

Limits OriginalUnitLimits(const Stage& s, double k, bool non_negative_metric) {
  Limits l = ChartScaleLimits(s, k);
  auto show = [&](double y) {
    double x = ToOriginalUnit(s.transform, y);
    return non_negative_metric ? std::max(x, 0.0) : x;
  };
  return Limits{show(l.center),   show(l.ucl),      show(l.lcl),     show(l.upper_2s),
                show(l.lower_2s), show(l.upper_1s), show(l.lower_1s)};
}

}  // namespace llmscope::spc

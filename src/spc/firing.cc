#include "spc/firing.h"

#include <limits>

namespace llmscope::spc {

void AppendFirings(RuleMask fired, int64_t index, Phase phase, const Stage& stage, double x,
                   double y, std::vector<Firing>& out) {
  const double deviation = stage.degenerate() ? std::numeric_limits<double>::quiet_NaN()
                                              : (y - stage.mean) / stage.sigma;
  for (Rule r : kAllRules) {
    if (Has(fired, r)) out.push_back(Firing{index, r, phase, stage.number, x, deviation});
  }
}

}  // namespace llmscope::spc

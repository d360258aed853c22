// Spend of LLM calls (docs/design.md "Prices and cost"), from the hourly rollups of the cost_usd
// metric (store/rollups.h): each bucket's value sum is the spend of its calls, its count the
// calls (failed ones included: they cost nothing), its value count the calls that had a price.
// Grouped by any of provider, model (with its provider) and UTC day, summed over sites and
// profiles.
//
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/rollups.h"

namespace llmscope::server {

enum class CostDimension : uint8_t { kProvider, kModel, kDay };
// "provider", "model", "day".
std::optional<CostDimension> ParseCostDimension(std::string_view name);

struct CostRow {
  // The group's key: empty for a dimension not grouped by. day: "YYYY-MM-DD" (UTC).
  std::string provider, model, day;
  double spend_usd = 0;
  int64_t calls = 0;
  int64_t priced_calls = 0;  // calls that had a price (and so a cost_usd)
  // spend_usd per 1,000 calls; nullopt without calls.
  std::optional<double> usd_per_1000_calls;
};

// One row per group present in `rollups` (cost_usd rollups; others are skipped), in key order
// (provider, model, day).
std::vector<CostRow> GroupCost(const std::vector<store::Rollup>& rollups,
                               const std::vector<CostDimension>& group_by);

}  // namespace llmscope::server

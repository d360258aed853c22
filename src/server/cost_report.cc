#include "server/cost_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/time_format.h"

namespace llmscope::server {

std::optional<CostDimension> ParseCostDimension(std::string_view name) {
  if (name == "provider") return CostDimension::kProvider;
  if (name == "model") return CostDimension::kModel;
  if (name == "day") return CostDimension::kDay;
  return std::nullopt;
}

std::vector<CostRow> GroupCost(const std::vector<store::Rollup>& rollups,
                               const std::vector<CostDimension>& group_by) {
  auto by = [&group_by](CostDimension d) {
    return std::find(group_by.begin(), group_by.end(), d) != group_by.end();
  };
  const bool by_model = by(CostDimension::kModel);
  const bool by_provider = by_model || by(CostDimension::kProvider);
  const bool by_day = by(CostDimension::kDay);
  std::map<std::tuple<std::string, std::string, std::string>, CostRow> groups;
  for (const store::Rollup& r : rollups) {
    if (r.series.metric != Metric::kCostUsd) continue;
    const SourceKey& s = r.series.source;
    CostRow key;
    if (by_provider) key.provider = s.provider;
    if (by_model) key.model = s.model;
    if (by_day) key.day = FormatIsoUtc(r.bucket_ms).substr(0, 10);
    auto [it, added] = groups.try_emplace({key.provider, key.model, key.day}, key);
    CostRow& row = it->second;
    row.spend_usd += r.value_sum;
    row.calls += r.count;
    row.priced_calls += r.value_count;
  }
  std::vector<CostRow> rows;
  rows.reserve(groups.size());
  for (auto& [key, row] : groups) {
    if (row.calls > 0) row.usd_per_1000_calls = row.spend_usd / static_cast<double>(row.calls) * 1000;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace llmscope::server

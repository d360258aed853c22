#include "probe/price_table.h"

namespace llmscope::probe {

PriceTable PriceTable::Defaults() {
  // Written 2026-11-23 from the providers' public list prices (USD per million tokens, standard
  // tier, no batch or cache discounts). Prices change: this table is the user's to edit, in the
  // config's price table, which overrides these entries.
  PriceTable t;
  t.Set("openai", "gpt-4o", 2.50, 10.00);
  t.Set("openai", "gpt-4o-mini", 0.15, 0.60);
  t.Set("anthropic", "claude-3-5-sonnet", 3.00, 15.00);
  t.Set("anthropic", "claude-sonnet-4", 3.00, 15.00);
  t.Set("anthropic", "claude-3-5-haiku", 0.80, 4.00);
  return t;
}

void PriceTable::Set(std::string provider, std::string model, double in_per_mtok,
                     double out_per_mtok) {
  prices_[{std::move(provider), std::move(model)}] = Price{in_per_mtok, out_per_mtok};
}

std::optional<double> PriceTable::Cost(std::string_view provider, std::string_view model,
                                       int64_t tokens_in, int64_t tokens_out) const {
  const Price* best = nullptr;
  size_t best_len = 0;
  for (const auto& [key, price] : prices_) {
    const auto& [p, m] = key;
    if (p != provider || !model.starts_with(m)) continue;
    if (model.size() != m.size() && model[m.size()] != '-' && model[m.size()] != ':') continue;
    if (best == nullptr || m.size() > best_len) {
      best = &price;
      best_len = m.size();
    }
  }
  if (best == nullptr) return std::nullopt;
  return (static_cast<double>(tokens_in) * best->in_per_mtok +
          static_cast<double>(tokens_out) * best->out_per_mtok) /
         1e6;
}

}  // namespace llmscope::probe

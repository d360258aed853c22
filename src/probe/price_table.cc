#include "probe/price_table.h"

namespace llmscope::probe {

PriceTable PriceTable::Defaults() {
  // Written on kDefaultsWritten from the providers' public list prices (USD per million tokens, standard
  // tier, no batch or cache discounts). Prices change: this table is the user's to edit, in the
  // config's price table, which overrides these entries.
  PriceTable t;
  t.Set("openai", "gpt-4o", 2.50, 10.00);
  t.Set("openai", "gpt-4o-mini", 0.15, 0.60);
  t.Set("anthropic", "claude-3-5-sonnet", 3.00, 15.00);
  t.Set("anthropic", "claude-sonnet-4", 3.00, 15.00);
  t.Set("anthropic", "claude-3-5-haiku", 0.80, 4.00);
  // The simulated provider's default model (the demo), priced like a small hosted model so that
  // the demo's cost view has figures; no real call is ever made or billed.
  t.Set("simulated", "sim-llm", 0.15, 0.60);
  return t;
}

void PriceTable::Set(std::string provider, std::string model, double in_per_mtok,
                     double out_per_mtok) {
  const std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->prices[{std::move(provider), std::move(model)}] = Price{in_per_mtok, out_per_mtok};
}

void PriceTable::Replace(const PriceTable& other) {
  Prices prices = other.Snapshot();
  const std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->prices = std::move(prices);
}

PriceTable::Prices PriceTable::Snapshot() const {
  const std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->prices;
}

std::optional<double> PriceTable::Cost(std::string_view provider, std::string_view model,
                                       int64_t tokens_in, int64_t tokens_out) const {
  const std::lock_guard<std::mutex> lock(shared_->mu);
  const Price* best = nullptr;
  size_t best_len = 0;
  for (const auto& [key, price] : shared_->prices) {
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

std::vector<PriceTable::Entry> PriceTable::Entries() const {
  const Prices prices = Snapshot();
  std::vector<Entry> entries;
  entries.reserve(prices.size());
  for (const auto& [key, price] : prices) {
    entries.push_back(Entry{key.first, key.second, price.in_per_mtok, price.out_per_mtok});
  }
  return entries;
}

}  // namespace llmscope::probe

// PriceTable: USD per million input and output tokens, per (provider, model), for cost_usd.
//
// A model matches an entry with the same name, or the longest entry that is a prefix of it
// followed by '-' or ':' (so "gpt-4o-2024-08-06" is priced as "gpt-4o", "gpt-4o-mini-…" as
// "gpt-4o-mini" and Ollama's "llama3.2:latest" as "llama3.2"). Providers and models with no entry
// (local ones: ollama, openai-compatible, unless configured) have no cost: Cost() is nullopt, not
// 0.
//
// A PriceTable is a handle: its copies share one table, so that Set or Replace on any of them
// reaches every provider and proxy holding a copy (prices edited through the API apply to the
// next call, docs/design.md "Prices and cost"). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmscope::probe {

class PriceTable {
 public:
  // The shipped defaults for common hosted models (see price_table.cc for the date they were
  // written); prices change, so the table is the user's to edit through the config.
  static PriceTable Defaults();
  // The day Defaults() was written, ISO 8601.
  static constexpr std::string_view kDefaultsWritten = "2026-11-23";

  struct Entry {
    std::string provider, model;
    double in_per_mtok = 0, out_per_mtok = 0;
  };

  // Adds or replaces the price of (provider, model).
  void Set(std::string provider, std::string model, double in_per_mtok, double out_per_mtok);
  // Makes this table (and its copies) hold the entries of `other`, and only those.
  void Replace(const PriceTable& other);

  // tokens_in × in price + tokens_out × out price, in USD; nullopt when the model has no entry.
  std::optional<double> Cost(std::string_view provider, std::string_view model, int64_t tokens_in,
                             int64_t tokens_out) const;

  // Every entry, by provider then model.
  std::vector<Entry> Entries() const;

 private:
  struct Price {
    double in_per_mtok = 0, out_per_mtok = 0;
  };
  using Prices = std::map<std::pair<std::string, std::string>, Price>;
  struct Shared {
    mutable std::mutex mu;
    Prices prices;
  };
  Prices Snapshot() const;

  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace llmscope::probe

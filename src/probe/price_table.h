// PriceTable: USD per million input and output tokens, per (provider, model), for cost_usd.
//
// A model matches an entry with the same name, or the longest entry that is a prefix of it
// followed by '-' or ':' (so "gpt-4o-2024-08-06" is priced as "gpt-4o", "gpt-4o-mini-…" as
// "gpt-4o-mini" and Ollama's "llama3.2:latest" as "llama3.2"). Providers and models with no entry
// (local ones: ollama, openai-compatible, unless configured) have no cost: Cost() is nullopt, not
// 0.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace llmscope::probe {

class PriceTable {
 public:
  // The shipped defaults for common hosted models (see price_table.cc for the date they were
  // written); prices change, so the table is the user's to edit through the config.
  static PriceTable Defaults();

  // Adds or replaces the price of (provider, model).
  void Set(std::string provider, std::string model, double in_per_mtok, double out_per_mtok);

  // tokens_in × in price + tokens_out × out price, in USD; nullopt when the model has no entry.
  std::optional<double> Cost(std::string_view provider, std::string_view model, int64_t tokens_in,
                             int64_t tokens_out) const;

 private:
  struct Price {
    double in_per_mtok = 0, out_per_mtok = 0;
  };
  std::map<std::pair<std::string, std::string>, Price> prices_;
};

}  // namespace llmscope::probe

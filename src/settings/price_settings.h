// Prices set through the API (docs/design.md "Settings", "Prices and cost"): USD per million
// input and output tokens of one (provider, model), kept in the store as settings of kind
// "price" under the id [provider, model] (a JSON array). They replace the built-in entry of the
// same provider and model (probe/price_table.h) for the samples costed after the change; a
// sample keeps the cost_usd it was given.
//
// Pure: parses and writes the stored body and the id; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace llmscope::settings {

inline constexpr std::string_view kPriceKind = "price";

struct ModelPrice {
  double input_usd_per_mtok = 0, output_usd_per_mtok = 0;
};

// The id of a model's price: the JSON array [provider, model].
std::string PriceSettingId(std::string_view provider, std::string_view model);
// (provider, model) of such an id; nullopt for any other text.
std::optional<std::pair<std::string, std::string>> ParsePriceSettingId(std::string_view id);

// A body {"input_usd_per_mtok": n, "output_usd_per_mtok": n}: both required, finite, 0 to
// 1,000,000. Errors name the field: "invalid_json", "unknown_field", "missing_field",
// "invalid_field".
Result<ModelPrice> ParsePriceBody(std::string_view text);
// The body stored, as ParsePriceBody reads it.
std::string PriceBody(const ModelPrice& price);

}  // namespace llmscope::settings

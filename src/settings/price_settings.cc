#include "settings/price_settings.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace llmscope::settings {
namespace {

using nlohmann::json;

constexpr double kMaxUsdPerMtok = 1e6;

Result<double> UsdPerMtok(const json& body, const char* field) {
  if (!body.contains(field)) return Error{"missing_field", std::string(field) + ": required"};
  const json& v = body[field];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 ||
      v.get<double>() > kMaxUsdPerMtok) {
    return Error{"invalid_field", std::string(field) + ": a number of USD from 0 to 1000000"};
  }
  return v.get<double>();
}

}  // namespace

std::string PriceSettingId(std::string_view provider, std::string_view model) {
  return json::array({provider, model}).dump();
}

std::optional<std::pair<std::string, std::string>> ParsePriceSettingId(std::string_view id) {
  const json a = json::parse(id, nullptr, false);
  if (!a.is_array() || a.size() != 2 || !a[0].is_string() || !a[1].is_string()) {
    return std::nullopt;
  }
  return std::make_pair(a[0].get<std::string>(), a[1].get<std::string>());
}

Result<ModelPrice> ParsePriceBody(std::string_view text) {
  const json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json",
                 "the body must be a JSON object {\"input_usd_per_mtok\", \"output_usd_per_mtok\"}"};
  }
  for (const auto& [field, value] : body.items()) {
    if (field != "input_usd_per_mtok" && field != "output_usd_per_mtok") {
      return Error{"unknown_field", field + ": expected input_usd_per_mtok, output_usd_per_mtok"};
    }
  }
  Result<double> in = UsdPerMtok(body, "input_usd_per_mtok");
  if (!in) return in.error();
  Result<double> out = UsdPerMtok(body, "output_usd_per_mtok");
  if (!out) return out.error();
  return ModelPrice{*in, *out};
}

std::string PriceBody(const ModelPrice& price) {
  return json{{"input_usd_per_mtok", price.input_usd_per_mtok},
              {"output_usd_per_mtok", price.output_usd_per_mtok}}
      .dump();
}

}  // namespace llmscope::settings

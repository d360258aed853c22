// A price's body and id (settings/price_settings.h).
#include "settings/price_settings.h"

#include <gtest/gtest.h>

namespace llmscope::settings {
namespace {

TEST(PriceSettingsTest, IdsAndBodiesReadBack) {
  const auto key = ParsePriceSettingId(PriceSettingId("openai", "ft:gpt-4o/x\""));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->second, "ft:gpt-4o/x\"");
  Result<ModelPrice> price = ParsePriceBody(PriceBody(ModelPrice{1.5, 6}));
  ASSERT_TRUE(price);
  EXPECT_EQ(price->input_usd_per_mtok, 1.5);
  EXPECT_EQ(price->output_usd_per_mtok, 6);
}

TEST(PriceSettingsTest, BadBodiesNameTheirField) {
  auto error = [](const char* body) {
    Result<ModelPrice> r = ParsePriceBody(body);
    return r ? Error{} : r.error();
  };
  EXPECT_EQ(error(R"({"input_usd_per_mtok": 1})").code, "missing_field");
  EXPECT_EQ(error(R"({"input_usd_per_mtok": 1})").message.substr(0, 19), "output_usd_per_mtok");
  EXPECT_EQ(error(R"({"input_usd_per_mtok": -1, "output_usd_per_mtok": 1})").code,
            "invalid_field");
  EXPECT_EQ(error(R"({"input_usd_per_mtok": 1, "output_usd_per_mtok": 1e7})").code,
            "invalid_field");
  EXPECT_EQ(error(R"({"input": 1})").code, "unknown_field");
  EXPECT_EQ(error("1").code, "invalid_json");
}

}  // namespace
}  // namespace llmscope::settings

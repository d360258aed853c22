// The SLO body and the series id (settings/series_slo.h): what parses, what is refused and with
// which field named, and ids that read back as the same series whatever the names hold.
#include "settings/series_slo.h"

#include <gtest/gtest.h>

namespace llmscope::settings {
namespace {

TEST(SeriesSloSettingsTest, IdsReadBackAsTheSameSeries) {
  const SeriesKey key{SourceKey{"openai", "org/gpt-4o\",x", "eu", "checkout"}, Metric::kTtftMs};
  EXPECT_EQ(ParseSeriesSettingId(SeriesSettingId(key)), key);
  EXPECT_EQ(ParseSeriesSettingId("[\"a\",\"b\",\"\",\"\",\"speed\"]"), std::nullopt);
  EXPECT_EQ(ParseSeriesSettingId("not json"), std::nullopt);
}

TEST(SeriesSloSettingsTest, BodiesParseOrNameTheirBadField) {
  Result<spc::SpecLimits> upper = ParseSloBody(R"({"usl": 3000, "lsl": null})", spc::Transform::kLog);
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->usl, 3000);
  EXPECT_EQ(upper->lsl, std::nullopt);
  EXPECT_EQ(ParseSloBody(SloBody(*upper), spc::Transform::kLog)->usl, 3000);

  auto error = [](const char* body, spc::Transform t = spc::Transform::kLog) {
    Result<spc::SpecLimits> r = ParseSloBody(body, t);
    return r ? Error{} : r.error();
  };
  EXPECT_EQ(error(R"({"usl": 0})").code, "invalid_field");
  EXPECT_TRUE(ParseSloBody(R"({"lsl": -1})", spc::Transform::kNone)) << "no log scale";
  EXPECT_EQ(error(R"({"usl": "1"})").message.substr(0, 4), "usl:");
  EXPECT_EQ(error(R"({"usl": 2, "lsl": 2})").message.substr(0, 4), "lsl:");
  EXPECT_EQ(error(R"({"usl": 2, "ucl": 1})").code, "unknown_field");
  EXPECT_EQ(error(R"({"usl": null})").code, "missing_field");
  EXPECT_EQ(error("[]").code, "invalid_json");
}

TEST(SeriesSloSettingsTest, StoredItemsGiveEachSeriesItsSlo) {
  const SeriesKey key{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  std::vector<store::SettingRecord> records(2);
  records[0].id = SeriesSettingId(key);
  records[0].body = SloBody(spc::SpecLimits{2500, std::nullopt});
  records[1].id = "junk";
  records[1].body = "{}";
  const auto slos = SlosOf(records);
  ASSERT_EQ(slos.size(), 1u);
  EXPECT_EQ(slos.at(key).usl, 2500);
}

}  // namespace
}  // namespace llmscope::settings

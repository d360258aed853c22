// A series' overrides (settings/series_overrides.h): what parses, what is refused and with which
// field named (the config file's bounds and rules), what the stored body reads back as, and the
// configuration an override gives over the file's.
#include "settings/series_overrides.h"

#include <gtest/gtest.h>

#include "settings/series_slo.h"

namespace llmscope::settings {
namespace {

monitor::SeriesConfig File(Metric m) {
  const monitor::MonitorConfig c = monitor::MonitorConfig::Defaults();
  monitor::SeriesConfig f;
  f.chart = MetricIsLatency(m) ? c.latency_chart : c.other_chart;
  f.alarm = c.alarm;
  return f;
}

Error ErrorOf(const char* body, Metric m = Metric::kE2eMs) {
  Result<SeriesOverrideEdit> r = ParseSeriesOverrideBody(body, m, File(m));
  return r ? Error{} : r.error();
}

TEST(SeriesOverridesTest, EachFieldParsesAndReadsBack) {
  Result<SeriesOverrideEdit> edit = ParseSeriesOverrideBody(
      R"({"baseline": 40, "transform": "none", "rules": ["R1", "r2=12", "R5"],
          "false_alerts_per_30d": 0.5, "version": 3})",
      Metric::kE2eMs, File(Metric::kE2eMs));
  ASSERT_TRUE(edit) << edit.error().message;
  EXPECT_EQ(edit->fields.baseline, 40);
  EXPECT_EQ(edit->fields.transform, spc::Transform::kNone);
  EXPECT_EQ(edit->fields.rules, "R1,R2=12,R5");
  EXPECT_EQ(edit->fields.false_alerts_per_30d, 0.5);
  EXPECT_EQ(edit->version, 3);

  Result<SeriesOverrideEdit> again = ParseSeriesOverrideBody(SeriesOverrideBody(edit->fields),
                                                             Metric::kE2eMs, File(Metric::kE2eMs));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fields.rules, "R1,R2=12,R5");
  EXPECT_EQ(again->version, std::nullopt);

  const monitor::SeriesConfig c = ApplyOverride(edit->fields, File(Metric::kE2eMs));
  EXPECT_EQ(c.chart.baseline_size, 40);
  EXPECT_EQ(c.chart.transform, spc::Transform::kNone);
  EXPECT_EQ(c.chart.rules.r2_run, 12);
  EXPECT_FALSE(c.chart.rules.enabled_rule(spc::Rule::kR3));
  EXPECT_EQ(c.alarm.budget.false_alerts_per_30d, 0.5);
}

TEST(SeriesOverridesTest, NullOrAbsentFieldsTakeTheFilesValues) {
  Result<SeriesOverrideEdit> edit = ParseSeriesOverrideBody(
      R"({"rules": "R1,R2", "baseline": null})", Metric::kTtftMs, File(Metric::kTtftMs));
  ASSERT_TRUE(edit);
  const monitor::SeriesConfig c = ApplyOverride(edit->fields, File(Metric::kTtftMs));
  EXPECT_EQ(c.chart.baseline_size, 100);
  EXPECT_EQ(c.chart.transform, spc::Transform::kLog);
  EXPECT_EQ(c.alarm.budget.false_alerts_per_30d, 1.0);
}

TEST(SeriesOverridesTest, InvalidFieldsAreNamed) {
  auto field = [](const Error& e) { return e.message.substr(0, e.message.find(':')); };
  EXPECT_EQ(field(ErrorOf(R"({"baseline": 19})")), "baseline");
  EXPECT_EQ(field(ErrorOf(R"({"baseline": 100001})")), "baseline");
  EXPECT_EQ(field(ErrorOf(R"({"baseline": 50.5})")), "baseline");
  EXPECT_EQ(field(ErrorOf(R"({"transform": "sqrt"})")), "transform");
  // As in the file: the log scale is for latencies only.
  EXPECT_EQ(field(ErrorOf(R"({"transform": "log"})", Metric::kTokensPerS)), "transform");
  EXPECT_TRUE(ParseSeriesOverrideBody(R"({"transform": "none"})", Metric::kCostUsd,
                                      File(Metric::kCostUsd)));
  EXPECT_EQ(field(ErrorOf(R"({"rules": "R1,R99"})")), "rules");
  EXPECT_EQ(field(ErrorOf(R"({"rules": "R2=1"})")), "rules");
  EXPECT_EQ(field(ErrorOf(R"({"rules": "SHIFT"})")), "rules");
  EXPECT_EQ(field(ErrorOf(R"({"rules": ""})")), "rules");
  EXPECT_EQ(field(ErrorOf(R"({"rules": "R1=2"})")), "rules") << "k of the limits is the file's";
  EXPECT_EQ(field(ErrorOf(R"({"rules": 5})")), "rules");
  EXPECT_EQ(field(ErrorOf(R"({"false_alerts_per_30d": 0})")), "false_alerts_per_30d");
  EXPECT_EQ(field(ErrorOf(R"({"false_alerts_per_30d": "1"})")), "false_alerts_per_30d");
  EXPECT_EQ(field(ErrorOf(R"({"baseline": 50, "version": 0})")), "version");
  EXPECT_EQ(ErrorOf(R"({"baseline": 50, "sigma": "stddev"})").code, "unknown_field");
  EXPECT_EQ(ErrorOf(R"({"baseline": null})").code, "missing_field");
  EXPECT_EQ(ErrorOf("[1]").code, "invalid_json");
  EXPECT_EQ(field(ErrorOf(R"({"baseline": 50})", Metric::kError)), "metric");
  EXPECT_EQ(ErrorOf(R"({"baseline": 19})").code, "invalid_field");
}

TEST(SeriesOverridesTest, StoredItemsGiveEachSeriesItsConfiguration) {
  const SeriesKey key{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  std::vector<store::SettingRecord> records(3);
  records[0].id = SeriesSettingId(key);
  records[0].body = R"({"baseline": 40})";
  records[0].updated_ms = 1234;
  records[1].id = "junk";
  records[1].body = R"({"baseline": 40})";
  records[2].id = SeriesSettingId(SeriesKey{key.source, Metric::kTtftMs});
  records[2].body = R"({"baseline": 4})";
  const auto configs = SeriesConfigsOf(records, File);
  ASSERT_EQ(configs.size(), 1u);
  EXPECT_EQ(configs.at(key).chart.baseline_size, 40);
  EXPECT_EQ(configs.at(key).since_ms, 1234);
}

}  // namespace
}  // namespace llmscope::settings

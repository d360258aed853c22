// QueryParams: each typed read gives nullopt when the parameter is absent, the value when it
// parses, and otherwise an "invalid_parameter" error whose message begins with the parameter's
// name and quotes what was sent; NumberInRange for path segments; and the one table of HTTP
// statuses of error codes.
#include "server/query_params.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "alert/severity.h"
#include "server/http_reply.h"
#include "spc/rule.h"

namespace llmscope::server {
namespace {

// Expects an invalid_parameter error whose message starts with "name: " and holds `mentions`.
template <typename T>
void ExpectInvalid(const Result<T>& r, const std::string& name, const std::string& mentions) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_parameter");
  EXPECT_EQ(r.error().message.rfind(name + ": ", 0), 0u) << r.error().message;
  EXPECT_NE(r.error().message.find(mentions), std::string::npos) << r.error().message;
}

TEST(QueryParams, AbsentParametersAreNullopt) {
  const QueryParams::Map map;
  const QueryParams p(map);
  EXPECT_FALSE(p.Has("limit"));
  EXPECT_EQ(p.Text("provider"), std::nullopt);
  EXPECT_EQ(*p.Optional<double>("hours"), std::nullopt);
  EXPECT_EQ(*p.InRange<int64_t>("limit", 1, 10), std::nullopt);
  EXPECT_EQ(*p.Time("since"), std::nullopt);
  EXPECT_EQ(*p.Metric("metric"), std::nullopt);
  EXPECT_EQ(*p.Flag("new_stage"), std::nullopt);
  EXPECT_EQ(*p.Named("rule", spc::ParseRuleName, "R1..R8"), std::nullopt);
  EXPECT_EQ(*p.CommaList("severity", alert::ParseSeverity, "critical"), std::nullopt);
}

TEST(QueryParams, TextIsTheFirstValueOfARepeatedParameter) {
  const QueryParams::Map map = {{"model", "a"}, {"model", "b"}, {"empty", ""}};
  const QueryParams p(map);
  EXPECT_EQ(p.Text("model"), "a");
  EXPECT_TRUE(p.Has("empty"));
  EXPECT_EQ(p.Text("empty"), "");
  EXPECT_EQ(p.Text("mode"), std::nullopt) << "a prefix of a name is not the name";
}

TEST(QueryParams, NumbersMustBeWholeAndFinite) {
  const QueryParams::Map map = {
      {"hours", "1.5"}, {"limit", "-3"}, {"unit", "12ms"}, {"nan", "nan"},
      {"inf", "inf"},   {"empty", ""},   {"big", "1e3"},   {"huge", "99999999999999999999"}};
  const QueryParams p(map);
  EXPECT_EQ(*p.Optional<double>("hours"), 1.5);
  EXPECT_EQ(*p.Optional<int64_t>("limit"), -3);
  EXPECT_EQ(*p.Optional<double>("big"), 1000.0);
  ExpectInvalid(p.Optional<double>("unit"), "unit", "'12ms' is not a number");
  ExpectInvalid(p.Optional<double>("nan"), "nan", "'nan'");
  ExpectInvalid(p.Optional<double>("inf"), "inf", "'inf'");
  ExpectInvalid(p.Optional<int64_t>("empty"), "empty", "''");
  ExpectInvalid(p.Optional<int64_t>("huge"), "huge", "99999999999999999999");
  ExpectInvalid(p.Optional<int64_t>("hours"), "hours", "'1.5'");
}

TEST(QueryParams, InRangeIncludesBothBoundsAndNamesThem) {
  const QueryParams::Map map = {{"lo", "1"}, {"hi", "100000"}, {"below", "0"}, {"above", "100001"}};
  const QueryParams p(map);
  EXPECT_EQ(*p.InRange<int64_t>("lo", 1, 100000), 1);
  EXPECT_EQ(*p.InRange<int>("hi", 1, 100000), 100000);
  ExpectInvalid(p.InRange<int64_t>("below", 1, 100000), "below",
                "'0' is not a number in 1..100000");
  ExpectInvalid(p.InRange<double>("above", 1, 100000), "above", "in 1..100000");
}

TEST(QueryParams, NumberInRangeReadsAPathSegment) {
  EXPECT_EQ(*NumberInRange<int64_t>("id", "42", 1, INT64_MAX), 42);
  ExpectInvalid(NumberInRange<int64_t>("id", "0", 1, INT64_MAX), "id", "'0'");
  ExpectInvalid(NumberInRange<int64_t>("id", "-1", 1, INT64_MAX), "id", "'-1'");
  ExpectInvalid(NumberInRange<int64_t>("id", "4x", 1, INT64_MAX), "id", "'4x'");
}

TEST(QueryParams, TimesAreIso8601) {
  const QueryParams::Map map = {{"since", "2026-01-02T03:04:05Z"}, {"until", "yesterday"}};
  const QueryParams p(map);
  EXPECT_EQ(*p.Time("since"), int64_t{1767323045000});
  ExpectInvalid(p.Time("until"), "until", "not an ISO 8601 time");
}

TEST(QueryParams, NamesAreParsedAndAnUnknownOneListsTheKnown) {
  const QueryParams::Map map = {
      {"metric", "ttft_ms"}, {"bad_metric", "speed"}, {"rule", "r2"}, {"bad_rule", "R99"}};
  const QueryParams p(map);
  EXPECT_EQ(*p.Metric("metric"), Metric::kTtftMs);
  ExpectInvalid(p.Metric("bad_metric"), "bad_metric", "unknown 'speed' (e2e_ms, ttft_ms");
  EXPECT_EQ(*p.Named("rule", spc::ParseRuleName, "R1..R8"), spc::Rule::kR2);
  ExpectInvalid(p.Named("bad_rule", spc::ParseRuleName, "R1..R8"), "bad_rule",
                "unknown 'R99' (R1..R8)");
}

TEST(QueryParams, FlagsAreTrueOrFalseAndNothingElse) {
  const QueryParams::Map map = {{"a", "true"}, {"b", "false"}, {"c", "1"}, {"d", "TRUE"}, {"e", ""}};
  const QueryParams p(map);
  EXPECT_EQ(*p.Flag("a"), true);
  EXPECT_EQ(*p.Flag("b"), false);
  ExpectInvalid(p.Flag("c"), "c", "unknown '1' (true, false)");
  ExpectInvalid(p.Flag("d"), "d", "unknown 'TRUE'");
  ExpectInvalid(p.Flag("e"), "e", "unknown ''");
}

TEST(QueryParams, CommaListsSkipEmptyItemsAndNameTheUnknownOne) {
  const QueryParams::Map map = {{"two", "critical,,info,"}, {"none", ""}, {"bad", "critical,loud"}};
  const QueryParams p(map);
  using alert::Severity;
  EXPECT_EQ(**p.CommaList("two", alert::ParseSeverity, "critical, warning, info"),
            (std::vector<Severity>{Severity::kCritical, Severity::kInfo}));
  EXPECT_EQ(**p.CommaList("none", alert::ParseSeverity, "critical, warning, info"),
            std::vector<Severity>{})
      << "given but empty: a list of nothing, not an absent parameter";
  ExpectInvalid(p.CommaList("bad", alert::ParseSeverity, "critical, warning, info"), "bad",
                "unknown 'loud' (critical, warning, info)");
}

TEST(HttpStatusOf, OneStatusPerErrorCode) {
  for (const char* code : {"invalid_parameter", "invalid_json", "invalid_field", "unknown_field",
                           "missing_field", "batch_too_large", "too_few_points", "bad_request"}) {
    EXPECT_EQ(HttpStatusOf(code), 400) << code;
  }
  EXPECT_EQ(HttpStatusOf("unauthorized"), 401);
  EXPECT_EQ(HttpStatusOf("not_found"), 404);
  EXPECT_EQ(HttpStatusOf("body_too_large"), 413);
  EXPECT_EQ(HttpStatusOf("unsupported_media_type"), 415);
  EXPECT_EQ(HttpStatusOf("storage_error"), 503);
  EXPECT_EQ(HttpStatusOf("too_many_streams"), 503);
  EXPECT_EQ(HttpStatusOf("internal"), 500);
  EXPECT_EQ(HttpStatusOf("some_new_code"), 500) << "a code with no entry is the server's fault";
}

}  // namespace
}  // namespace llmscope::server

// ISO 8601 parsing and formatting of UTC times (core/time_format.h): the forms the original
// LLMscope monitor sends, offsets, fractions, and malformed text.
#include <gtest/gtest.h>

#include "core/time_format.h"

namespace llmscope {
namespace {

constexpr int64_t k2026Nov23 = 1795392000000;  // 2026-11-23T00:00:00Z

TEST(TimeFormat, ParsesTheFormsTheApiTakes) {
  EXPECT_EQ(ParseIsoUtc("2026-11-23"), k2026Nov23);
  EXPECT_EQ(ParseIsoUtc("2026-11-23T00:00:00Z"), k2026Nov23);
  EXPECT_EQ(ParseIsoUtc("2026-11-23T15:04:05Z"), k2026Nov23 + 54245000);
  EXPECT_EQ(ParseIsoUtc("2026-11-23 15:04:05"), k2026Nov23 + 54245000);
  // Python's naive utcnow().isoformat(): microseconds, no offset, taken as UTC.
  EXPECT_EQ(ParseIsoUtc("2026-11-23T15:04:05.123456"), k2026Nov23 + 54245123);
  EXPECT_EQ(ParseIsoUtc("2026-11-23T15:04:05.5Z"), k2026Nov23 + 54245500);
  EXPECT_EQ(ParseIsoUtc("2026-11-23T17:04:05+02:00"), k2026Nov23 + 54245000);
  EXPECT_EQ(ParseIsoUtc("2026-11-23T10:04:05-0500"), k2026Nov23 + 54245000);
  EXPECT_EQ(ParseIsoUtc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoUtc("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(TimeFormat, RefusesMalformedText) {
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2025-02-29",
                          "2026-11-23T25:00:00", "2026-11-23T15:04", "2026-11-23T15:04:05.",
                          "2026-11-23T15:04:05+2", "2026-11-23T15:04:05Zjunk", "1e12",
                          "2026-11-23T15:04:05+02:00x"}) {
    EXPECT_FALSE(ParseIsoUtc(bad).has_value()) << bad;
  }
}

TEST(TimeFormat, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatIsoUtc(k2026Nov23 + 54245123), "2026-11-23T15:04:05.123Z");
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoUtc(-1), "1969-12-31T23:59:59.999Z");
  for (int64_t t : {int64_t{0}, k2026Nov23, k2026Nov23 + 86399999, int64_t{4102444800000}}) {
    EXPECT_EQ(ParseIsoUtc(FormatIsoUtc(t)), t);
  }
}

}  // namespace
}  // namespace llmscope

// ValidateSample: the checks of POST /api/stats for samples built elsewhere (OTLP ingest).
#include <gtest/gtest.h>

#include <cmath>

#include "server/ingest_payload.h"

namespace llmscope::server {
namespace {

constexpr int64_t kNow = 1'765'000'000'000;

Sample Valid() {
  Sample s;
  s.time_ms = kNow;
  s.source = {"openai", "gpt-4o", "", "checkout"};
  s.e2e_ms = 800;
  return s;
}

TEST(ValidateSampleTest, AcceptsAWellFormedSample) {
  EXPECT_TRUE(ValidateSample(Valid(), kNow));
  Sample failed = Valid();
  failed.e2e_ms.reset();
  failed.error = true;
  EXPECT_TRUE(ValidateSample(failed, kNow)) << "a failed call needs no measurement";
}

TEST(ValidateSampleTest, RefusesWhatTheJsonPathRefuses) {
  Sample s = Valid();
  s.e2e_ms = 1e12;
  Status over = ValidateSample(s, kNow);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message, "e2e_ms: must be at most 86400000 ([ingest] max_latency_ms)");

  s = Valid();
  s.ttft_ms = std::nan("");
  EXPECT_FALSE(ValidateSample(s, kNow));
  s = Valid();
  s.tokens_out = int64_t{2'000'000'000};
  EXPECT_FALSE(ValidateSample(s, kNow));
  s = Valid();
  s.source.model = std::string(201, 'm');
  EXPECT_FALSE(ValidateSample(s, kNow));
  s = Valid();
  s.source.provider = "open\nai";
  EXPECT_FALSE(ValidateSample(s, kNow));
  s = Valid();
  s.time_ms = kNow + 6 * 60 * 1000;
  EXPECT_FALSE(ValidateSample(s, kNow));
  s = Valid();
  s.ingest_key = std::string(129, 'k');
  EXPECT_FALSE(ValidateSample(s, kNow));
  s = Valid();
  s.e2e_ms.reset();
  Status nothing = ValidateSample(s, kNow);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, "missing_field");
}

}  // namespace
}  // namespace llmscope::server

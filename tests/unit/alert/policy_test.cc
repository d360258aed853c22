// Severity, routing, muting, rate limits and the retry policy: the pure decisions of alerting.
#include <gtest/gtest.h>

#include "alert/delivery_outcome.h"
#include "alert/retry_policy.h"
#include "alert/routing.h"
#include "alert/severity.h"
#include "alert/token_bucket.h"
#include "alert_test_facts.h"

namespace llmscope::alert {
namespace {

using testing::SampleFacts;

constexpr int64_t kMonday0000 = 1704067200000;  // 2024-01-01T00:00:00Z, a Monday
constexpr int64_t kHour = 3600000;

TEST(Severity, DefaultsPerRuleAndOverrides) {
  // The alarm detectors decide what reaches a person; every chart rule is an info signal.
  EXPECT_EQ(SeverityOf(spc::Rule::kJump), Severity::kCritical);
  EXPECT_EQ(SeverityOf(spc::Rule::kErrors), Severity::kCritical);
  EXPECT_EQ(SeverityOf(spc::Rule::kShift), Severity::kWarning);
  for (spc::Rule r : spc::kAllRules) EXPECT_EQ(SeverityOf(r), Severity::kInfo) << spc::RuleName(r);
  SeverityOverrides o{{spc::Rule::kEwma, Severity::kCritical},
                      {spc::Rule::kR1, Severity::kWarning}};
  EXPECT_EQ(SeverityOf(spc::Rule::kEwma, o), Severity::kCritical);
  EXPECT_EQ(SeverityOf(spc::Rule::kR1, o), Severity::kWarning);
  EXPECT_EQ(SeverityOf(spc::Rule::kR2, o), Severity::kInfo);
  EXPECT_EQ(ParseSeverity("warning"), Severity::kWarning);
  // By severity, for GET /api/violations?severity=…: the overrides count.
  EXPECT_EQ(RulesOfSeverity({Severity::kCritical}, o),
            (std::vector<spc::Rule>{spc::Rule::kEwma, spc::Rule::kJump, spc::Rule::kErrors}));
  EXPECT_EQ(RulesOfSeverity({Severity::kWarning, Severity::kCritical}, {}),
            (std::vector<spc::Rule>{spc::Rule::kShift, spc::Rule::kJump, spc::Rule::kErrors}));
  EXPECT_FALSE(ParseSeverity("major"));
}

TEST(Routing, EmptyMatchTakesEverythingAndListsAreAnyOf) {
  const AlertFacts f = SampleFacts();  // openai gpt-4o e2e_ms R1 critical
  EXPECT_TRUE(Matches(AlertMatch{}, f));
  AlertMatch m;
  m.providers = {"anthropic", "openai"};
  m.rules = {spc::Rule::kR1, spc::Rule::kR2};
  EXPECT_TRUE(Matches(m, f));
  m.metrics = {Metric::kTtftMs};
  EXPECT_FALSE(Matches(m, f));
  m.metrics = {Metric::kE2eMs};
  m.severities = {Severity::kWarning};
  EXPECT_FALSE(Matches(m, f));
  m.severities = {Severity::kCritical};
  m.models = {"gpt-4o-mini"};
  EXPECT_FALSE(Matches(m, f));
}

TEST(Routing, UnionOfMatchingRoutesInConfigOrderEachSinkOnce) {
  std::vector<RouteConfig> routes(3);
  routes[0].match.providers = {"anthropic"};
  routes[0].sinks = {"a"};
  routes[1].match.rules = {spc::Rule::kR1};
  routes[1].sinks = {"pager", "slack"};
  routes[2].sinks = {"slack", "mail"};  // empty match: every violation
  EXPECT_EQ(RouteSinks(routes, SampleFacts()),
            (std::vector<std::string>{"pager", "slack", "mail"}));
}

TEST(Muting, AbsoluteWindowIsHalfOpen) {
  MuteWindow w;
  w.start_ms = kMonday0000;
  w.end_ms = kMonday0000 + kHour;
  EXPECT_FALSE(MuteWindowActive(w, kMonday0000 - 1));
  EXPECT_TRUE(MuteWindowActive(w, kMonday0000));
  EXPECT_TRUE(MuteWindowActive(w, kMonday0000 + kHour - 1));
  EXPECT_FALSE(MuteWindowActive(w, kMonday0000 + kHour));
}

TEST(Muting, WeeklyWindowOnChosenDaysUtc) {
  MuteWindow w;
  w.days = 1 << 5;  // Saturday
  w.start_minute = 9 * 60;
  w.end_minute = 17 * 60;
  const int64_t saturday = kMonday0000 + 5 * 24 * kHour;  // 2024-01-06
  EXPECT_FALSE(MuteWindowActive(w, saturday + 8 * kHour + 59 * 60000));
  EXPECT_TRUE(MuteWindowActive(w, saturday + 9 * kHour));
  EXPECT_TRUE(MuteWindowActive(w, saturday + 16 * kHour + 59 * 60000));
  EXPECT_FALSE(MuteWindowActive(w, saturday + 17 * kHour));
  EXPECT_FALSE(MuteWindowActive(w, saturday + 24 * kHour + 10 * kHour));  // Sunday 10:00
  EXPECT_FALSE(
      MuteWindowActive(w, saturday - 7 * 24 * kHour - 24 * kHour + 10 * kHour));  // a Friday
}

TEST(Muting, WeeklyWindowPastMidnightBelongsToTheDayItStarts) {
  MuteWindow w;
  w.days = 1 << 0;  // Monday night 22:00 → Tuesday 06:00
  w.start_minute = 22 * 60;
  w.end_minute = 6 * 60;
  EXPECT_TRUE(MuteWindowActive(w, kMonday0000 + 23 * kHour));
  EXPECT_TRUE(MuteWindowActive(w, kMonday0000 + 24 * kHour + 5 * kHour));   // Tuesday 05:00
  EXPECT_FALSE(MuteWindowActive(w, kMonday0000 + 24 * kHour + 6 * kHour));  // Tuesday 06:00
  EXPECT_FALSE(MuteWindowActive(w, kMonday0000 + 5 * kHour));  // Monday 05:00: Sunday's night
  EXPECT_FALSE(MuteWindowActive(w, kMonday0000 + 24 * kHour + 23 * kHour));  // Tuesday 23:00
  w.end_minute = w.start_minute;                                             // the whole day
  EXPECT_TRUE(MuteWindowActive(w, kMonday0000 + 1));
  EXPECT_FALSE(MuteWindowActive(w, kMonday0000 - 1));  // Sunday 23:59:59.999
}

TEST(Muting, SilencesMatchFieldsAndTimeThenMuteWindows) {
  const AlertFacts f = SampleFacts();
  store::SilenceRecord s;
  s.id = 7;
  s.provider = "openai";
  s.rule = "r1";  // rule names are case-insensitive, as everywhere
  s.starts_ms = kMonday0000;
  s.ends_ms = kMonday0000 + kHour;
  s.comment = "deploy";
  EXPECT_TRUE(SilenceCovers(s, f, kMonday0000 + 1));
  EXPECT_FALSE(SilenceCovers(s, f, kMonday0000 + kHour));
  s.metric = "ttft_ms";
  EXPECT_FALSE(SilenceCovers(s, f, kMonday0000 + 1));
  s.metric = "e2e_ms";
  EXPECT_EQ(HeldBack(f, {s}, {}, kMonday0000 + 1), "silenced by silence 7 (deploy)");

  MuteWindow nights;
  nights.name = "nights";
  nights.days = 0x7f;
  nights.start_minute = 0;
  nights.end_minute = 6 * 60;
  nights.match.severities = {Severity::kInfo};
  EXPECT_EQ(HeldBack(f, {}, {nights}, kMonday0000 + kHour), std::nullopt);  // critical
  nights.match.severities = {Severity::kCritical};
  EXPECT_EQ(HeldBack(f, {}, {nights}, kMonday0000 + kHour), "muted by mute window 'nights'");
  EXPECT_EQ(HeldBack(f, {}, {nights}, kMonday0000 + 7 * kHour), std::nullopt);
}

TEST(TokenBucket, BurstThenRefillAtTheRate) {
  TokenBucket b(6, 2, 0);  // 6 per minute: one every 10 s; burst 2
  EXPECT_TRUE(b.TryTake(0));
  EXPECT_TRUE(b.TryTake(0));
  EXPECT_FALSE(b.TryTake(0));
  EXPECT_FALSE(b.TryTake(9999));
  EXPECT_TRUE(b.TryTake(10000));
  EXPECT_FALSE(b.TryTake(10000));
  EXPECT_DOUBLE_EQ(b.Available(1000000), 2.0);  // never more than the burst
  TokenBucket unlimited(0, 1, 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.TryTake(0));
}

TEST(RetryPolicy, ExponentialCappedWithEqualJitter) {
  const BackoffPolicy p{1000, 8000};
  EXPECT_EQ(BackoffDelayMs(p, 1, 0.0), 500);  // d = 1000: [500, 1000)
  EXPECT_EQ(BackoffDelayMs(p, 1, 0.5), 750);
  EXPECT_EQ(BackoffDelayMs(p, 2, 0.0), 1000);  // d = 2000
  EXPECT_EQ(BackoffDelayMs(p, 3, 0.5), 3000);  // d = 4000: 2000 + 0.5·2000
  EXPECT_EQ(BackoffDelayMs(p, 4, 0.0), 4000);  // d = 8000 = cap
  EXPECT_EQ(BackoffDelayMs(p, 40, 0.999), 4000 + static_cast<int64_t>(0.999 * 4000));
}

TEST(RetryPolicy, RetryAfterSecondsOrHttpDate) {
  EXPECT_EQ(ParseRetryAfterMs("120", 0), 120000);
  EXPECT_EQ(ParseRetryAfterMs(" 0 ", 0), 0);
  // 784111777 s is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example date).
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000 - 5000), 5000);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", 784111777000 + 5000), 0);
  EXPECT_EQ(ParseRetryAfterMs("Tue, 29 Feb 2000 12:00:00 GMT", 951825600000 - 1000), 1000);
  EXPECT_FALSE(ParseRetryAfterMs("soon", 0));
  EXPECT_FALSE(ParseRetryAfterMs("-5", 0));
  EXPECT_FALSE(ParseRetryAfterMs("Sun, 06 Foo 1994 08:49:37 GMT", 0));
  EXPECT_FALSE(ParseRetryAfterMs("", 0));
}

TEST(RetryPolicy, RetryAfterWinsWhenLaterAndIsCapped) {
  const BackoffPolicy p{1000, 8000};
  EXPECT_EQ(NextAttemptMs(p, 1, 0.0, 100, std::nullopt, 60000), 600);
  EXPECT_EQ(NextAttemptMs(p, 1, 0.0, 100, 30000, 60000), 30100);
  EXPECT_EQ(NextAttemptMs(p, 1, 0.0, 100, 10, 60000), 600);  // backoff is later
  EXPECT_EQ(NextAttemptMs(p, 1, 0.0, 100, 7200000, 60000), 60100);
}

TEST(DeliveryOutcome, DeliveredRetriedFailed) {
  DeliveryPolicy p;
  p.max_attempts = 2;
  p.backoff = {1000, 8000};
  store::DeliveryRecord d;
  SendResult retry{SendResult::Outcome::kRetry, 20000, "HTTP 429"};
  RecordAttempt(d, retry, p, 0.0, 1000);
  EXPECT_EQ(d.state, store::DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.next_attempt_ms, 21000);  // Retry-After 20 s beats the 500 ms backoff
  EXPECT_EQ(d.last_error, "HTTP 429");
  RecordAttempt(d, SendResult{SendResult::Outcome::kRetry, std::nullopt, "HTTP 500"}, p, 0.0,
                22000);
  EXPECT_EQ(d.state, store::DeliveryState::kFailed);
  EXPECT_EQ(d.last_error, "HTTP 500 (gave up after 2 attempts)");

  store::DeliveryRecord ok;
  ok.last_error = "earlier";
  RecordAttempt(ok, SendResult{SendResult::Outcome::kDelivered, std::nullopt, "HTTP 202"}, p, 0.5,
                5);
  EXPECT_EQ(ok.state, store::DeliveryState::kDelivered);
  EXPECT_EQ(ok.delivered_ms, 5);
  EXPECT_EQ(ok.last_error, "");

  store::DeliveryRecord rejected;
  RecordAttempt(rejected, SendResult{SendResult::Outcome::kReject, std::nullopt, "HTTP 400"}, p, 0,
                5);
  EXPECT_EQ(rejected.state, store::DeliveryState::kFailed);
  EXPECT_EQ(rejected.attempts, 1);
  EXPECT_EQ(rejected.last_error, "HTTP 400");
}

}  // namespace
}  // namespace llmscope::alert

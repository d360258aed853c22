// Each sink's payload, checked field by field against values worked out by hand from
// alert_test_facts.h, and the HTTP request and reply rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alert/alertmanager_alert.h"
#include "alert/crypto.h"
#include "alert/email_message.h"
#include "alert/http_alert_request.h"
#include "alert/pagerduty_event.h"
#include "alert/slack_message.h"
#include "alert/smtp_sink.h"
#include "alert/webhook_payload.h"
#include "alert_test_facts.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::json;
using testing::SampleFacts;

const std::string kSigma = "\xCF\x83";

TEST(AlertFacts, WordsAndRoundTrip) {
  const AlertFacts f = SampleFacts();
  EXPECT_EQ(f.link, "https://scope.example.com/#/violations/42");
  EXPECT_EQ(Headline(f), "[CRITICAL] R1 on openai/gpt-4o/e2e_ms: 2400 ms (+4.2" + kSigma + ")");
  EXPECT_EQ(Headline(SampleFacts(store::DeliveryKind::kResolve)).rfind("RESOLVED [CRITICAL]", 0),
            0u);
  EXPECT_EQ(FormatMetricValue(Metric::kTokensPerS, 41.54), "41.5 tok/s");
  EXPECT_EQ(FormatMetricValue(Metric::kCostUsd, 0.001234), "0.00123 USD");
  EXPECT_EQ(FormatDeviation(std::nullopt), "n/a");
  EXPECT_EQ(FormatDeviation(-3.04), "-3.0" + kSigma);

  const AlertFacts r = SampleFacts(store::DeliveryKind::kResolve);
  Result<AlertFacts> back = FactsFromJson(FactsToJson(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->kind, store::DeliveryKind::kResolve);
  EXPECT_EQ(back->violation_id, 42);
  EXPECT_EQ(back->series, r.series);
  EXPECT_EQ(back->severity, Severity::kCritical);
  EXPECT_EQ(back->deviation, 4.25);
  EXPECT_EQ(back->limits.ucl, 1500);
  EXPECT_EQ(back->event_time_ms, 1704070800000);
  EXPECT_EQ(back->resolved_by, "alice");
  EXPECT_EQ(back->link, r.link);
  EXPECT_FALSE(FactsFromJson("{\"kind\": \"open\"}").ok());
  EXPECT_FALSE(FactsFromJson("not json").ok());
}

TEST(SlackMessage, SeriesRuleValueDeviationLimitsAndLink) {
  const Json j = Json::parse(RenderSlackMessage(SampleFacts()));
  EXPECT_EQ(j["text"], Headline(SampleFacts()) + " https://scope.example.com/#/violations/42");
  const std::string intro = j["blocks"][0]["text"]["text"];
  EXPECT_NE(intro.find("R1: one point beyond 3 sigma: a sudden spike or drop"), std::string::npos);
  const Json& fields = j["blocks"][1]["fields"];
  EXPECT_EQ(fields[0]["text"], "*Series*\nopenai/gpt-4o/e2e_ms");
  EXPECT_EQ(fields[2]["text"], "*Value*\n2400 ms (first point 1800 ms)");
  EXPECT_EQ(fields[3]["text"], "*Deviation*\n+4.2" + kSigma);
  EXPECT_EQ(fields[4]["text"], "*Limits*\nLCL 420 ms \xC2\xB7 CL 800 ms \xC2\xB7 UCL 1500 ms");
  EXPECT_EQ(j["blocks"][2]["text"]["text"],
            "<https://scope.example.com/#/violations/42|View violation 42 in LLMscope>");
  EXPECT_EQ(SlackEscape("a<b>&c"), "a&lt;b&gt;&amp;c");
  AlertFacts odd = SampleFacts();
  odd.series.source.model = "<!channel>";
  EXPECT_NE(RenderSlackMessage(odd).find("&lt;!channel&gt;"), std::string::npos);
}

TEST(WebhookPayload, VersionedJson) {
  const Json j = Json::parse(RenderWebhookPayload(SampleFacts(), "v42/hook/open"));
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["event"], "violation.opened");
  EXPECT_EQ(j["idempotency_key"], "v42/hook/open");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["url"], "https://scope.example.com/#/violations/42");
  EXPECT_EQ(j["violation"]["id"], 42);
  EXPECT_EQ(j["violation"]["rule"], "R1");
  EXPECT_EQ(j["violation"]["deviation_sigma"], 4.25);
  EXPECT_EQ(j["violation"]["limits"]["ucl"], 1500.0);
  EXPECT_EQ(j["violation"]["first_time"], "2024-01-01T00:00:00.000Z");
  EXPECT_TRUE(j["violation"]["resolved_by"].is_null());
  const Json r = Json::parse(RenderWebhookPayload(SampleFacts(store::DeliveryKind::kResolve), "k"));
  EXPECT_EQ(r["event"], "violation.resolved");
  EXPECT_EQ(r["violation"]["resolved_by"], "alice");
  EXPECT_EQ(r["violation"]["resolved_time"], "2024-01-01T01:00:00.000Z");
}

TEST(PagerDutyEvent, TriggerAndResolveShareTheDedupKey) {
  const Json t = Json::parse(RenderPagerDutyEvent(SampleFacts(), "RKEY"));
  EXPECT_EQ(t["routing_key"], "RKEY");
  EXPECT_EQ(t["event_action"], "trigger");
  EXPECT_EQ(t["dedup_key"], "llmscope-violation-42");
  EXPECT_EQ(t["payload"]["summary"], Headline(SampleFacts()));
  EXPECT_EQ(t["payload"]["source"], "llmscope:openai/gpt-4o");
  EXPECT_EQ(t["payload"]["severity"], "critical");
  EXPECT_EQ(t["payload"]["timestamp"], "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(t["payload"]["class"], "R1");
  EXPECT_EQ(t["payload"]["custom_details"]["ucl"], 1500.0);
  EXPECT_EQ(t["links"][0]["href"], "https://scope.example.com/#/violations/42");
  const Json r =
      Json::parse(RenderPagerDutyEvent(SampleFacts(store::DeliveryKind::kResolve), "RKEY"));
  EXPECT_EQ(r, (Json{{"routing_key", "RKEY"},
                     {"event_action", "resolve"},
                     {"dedup_key", "llmscope-violation-42"}}));
}

TEST(AlertmanagerAlert, LabelsAnnotationsAndEndsAt) {
  const Json a = Json::parse(RenderAlertmanagerAlerts(SampleFacts(), 3600000));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["labels"], (Json{{"alertname", "LLMscopeViolation"},
                                  {"provider", "openai"},
                                  {"model", "gpt-4o"},
                                  {"metric", "e2e_ms"},
                                  {"rule", "R1"},
                                  {"severity", "critical"},
                                  {"violation_id", "42"}}));
  EXPECT_EQ(a[0]["annotations"]["ucl"], "1500 ms");
  EXPECT_EQ(a[0]["annotations"]["dashboard_url"], "https://scope.example.com/#/violations/42");
  EXPECT_EQ(a[0]["startsAt"], "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(a[0]["endsAt"], "2024-01-01T01:00:00.000Z");  // firing for one hour
  EXPECT_EQ(a[0]["generatorURL"], "https://scope.example.com/#/violations/42");
  const Json r = Json::parse(
      RenderAlertmanagerAlerts(SampleFacts(store::DeliveryKind::kResolve), 3600000 * 24));
  EXPECT_EQ(r[0]["endsAt"], "2024-01-01T01:00:00.000Z");  // the resolve time
}

TEST(Email, EscapedHtmlAndMultipartAlternative) {
  AlertFacts f = SampleFacts();
  f.series.source.model = "<script>x&y</script>";
  const EmailContent c = RenderEmail(f);
  EXPECT_NE(c.html.find("&lt;script&gt;x&amp;y&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(c.html.find("<script>"), std::string::npos);
  EXPECT_NE(c.text.find("Series: openai/<script>x&y</script>/e2e_ms"), std::string::npos);
  EXPECT_NE(c.text.find("Limits: LCL 420 ms, CL 800 ms, UCL 1500 ms"), std::string::npos);
  EXPECT_NE(c.text.find("In the dashboard: https://scope.example.com/#/violations/42"),
            std::string::npos);
  EXPECT_EQ(HtmlEscape("\"'"), "&quot;&#39;");

  const std::string m = BuildMimeMessage({"LLMscope <alerts@example.com>",
                                          {"ops@example.com", "b@example.com"},
                                          "v42/mail/open",
                                          1704067200000},
                                         c);
  EXPECT_NE(m.find("From: LLMscope <alerts@example.com>\r\n"), std::string::npos);
  EXPECT_NE(m.find("To: ops@example.com, b@example.com\r\n"), std::string::npos);
  EXPECT_NE(m.find("Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(m.find("Message-ID: <llmscope.v42.mail.open@example.com>\r\n"), std::string::npos);
  // The subject holds σ: an RFC 2047 encoded word.
  EXPECT_NE(m.find("Subject: =?UTF-8?B?" + Base64(c.subject) + "?=\r\n"), std::string::npos);
  const size_t type = m.find("Content-Type: multipart/alternative; boundary=\"");
  ASSERT_NE(type, std::string::npos);
  const size_t b0 = m.find('"', type) + 1;
  const std::string boundary = m.substr(b0, m.find('"', b0) - b0);
  const size_t text_part = m.find("--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8");
  const size_t html_part = m.find("--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8");
  ASSERT_NE(text_part, std::string::npos);
  ASSERT_NE(html_part, std::string::npos);
  EXPECT_LT(text_part, html_part);
  EXPECT_NE(m.find("--" + boundary + "--\r\n"), std::string::npos);
  EXPECT_EQ(EnvelopeAddress("LLMscope <alerts@example.com>"), "alerts@example.com");
  EXPECT_EQ(EnvelopeAddress(" ops@example.com "), "ops@example.com");
}

TEST(Crypto, HmacSha256Rfc4231AndBase64) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64("fo"), "Zm8=");
}

TEST(HttpAlertRequest, WebhookIsSignedAndCarriesTheKey) {
  SinkConfig c;
  c.type = SinkType::kWebhook;
  SinkSecrets s;
  s.url = "http://127.0.0.1:9/hook";
  s.secret = "shh";
  const net::HttpRequest r = BuildHttpAlertRequest(c, s, SampleFacts(), "v42/hook/open");
  EXPECT_EQ(r.url, "http://127.0.0.1:9/hook");
  auto header = [&r](const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return std::string("<none>");
  };
  EXPECT_EQ(header("X-LLMscope-Signature"), "sha256=" + HmacSha256Hex("shh", r.body));
  EXPECT_EQ(header("Idempotency-Key"), "v42/hook/open");
  EXPECT_EQ(header("Content-Type"), "application/json");
  s.secret.clear();
  EXPECT_EQ(header("X-LLMscope-Signature").size(), 71u);
  const net::HttpRequest unsigned_request = BuildHttpAlertRequest(c, s, SampleFacts(), "k");
  for (const auto& [k, v] : unsigned_request.headers) EXPECT_NE(k, "X-LLMscope-Signature");

  c.type = SinkType::kAlertmanager;
  s.url = "http://127.0.0.1:9093/";
  EXPECT_EQ(BuildHttpAlertRequest(c, s, SampleFacts(), "k").url,
            "http://127.0.0.1:9093/api/v2/alerts");
  c.type = SinkType::kPagerDuty;
  s.routing_key = "RK";
  EXPECT_EQ(Json::parse(BuildHttpAlertRequest(c, s, SampleFacts(), "k").body)["routing_key"], "RK");
}

TEST(HttpAlertRequest, RepliesJudged) {
  using O = SendResult::Outcome;
  using net::TransportError;
  EXPECT_EQ(JudgeHttpReply(200, TransportError::kNone, "", std::nullopt, "", 0).outcome,
            O::kDelivered);
  EXPECT_EQ(JudgeHttpReply(202, TransportError::kNone, "", std::nullopt, "", 0).outcome,
            O::kDelivered);
  const SendResult busy = JudgeHttpReply(429, TransportError::kNone, "", "7", "slow down", 0);
  EXPECT_EQ(busy.outcome, O::kRetry);
  EXPECT_EQ(busy.retry_after_ms, 7000);
  EXPECT_EQ(busy.detail, "HTTP 429: slow down");
  EXPECT_EQ(JudgeHttpReply(503, TransportError::kNone, "", std::nullopt, "", 0).outcome, O::kRetry);
  EXPECT_EQ(JudgeHttpReply(500, TransportError::kNone, "", std::nullopt, "", 0).outcome, O::kRetry);
  EXPECT_EQ(JudgeHttpReply(400, TransportError::kNone, "", std::nullopt, "bad", 0).outcome,
            O::kReject);
  EXPECT_EQ(JudgeHttpReply(404, TransportError::kNone, "", std::nullopt, "", 0).outcome,
            O::kReject);
  const SendResult down =
      JudgeHttpReply(0, TransportError::kRefused, "Couldn't connect", std::nullopt, "", 0);
  EXPECT_EQ(down.outcome, O::kRetry);
  EXPECT_EQ(down.detail, "refused: Couldn't connect");
  EXPECT_EQ(JudgeHttpReply(500, TransportError::kNone, "", std::nullopt, std::string(500, 'x'), 0)
                .detail.size(),
            std::string("HTTP 500: ").size() + 200);
  EXPECT_EQ(Redact("token abc and abc", {"abc", ""}), "token [redacted] and [redacted]");
}

}  // namespace
}  // namespace llmscope::alert

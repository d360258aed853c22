#include "alert/http_alert_request.h"

#include "alert/alertmanager_alert.h"
#include "alert/crypto.h"
#include "alert/pagerduty_event.h"
#include "alert/retry_policy.h"
#include "alert/slack_message.h"
#include "alert/webhook_payload.h"

namespace llmscope::alert {

net::HttpRequest BuildHttpAlertRequest(const SinkConfig& config, const SinkSecrets& secrets,
                                       const AlertFacts& facts,
                                       const std::string& idempotency_key) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = secrets.url;
  switch (config.type) {
    case SinkType::kSlack:
      r.body = RenderSlackMessage(facts);
      break;
    case SinkType::kWebhook:
      r.body = RenderWebhookPayload(facts, idempotency_key);
      if (!secrets.secret.empty()) {
        r.headers.emplace_back(kSignatureHeader, "sha256=" + HmacSha256Hex(secrets.secret, r.body));
      }
      break;
    case SinkType::kPagerDuty:
      r.body = RenderPagerDutyEvent(facts, secrets.routing_key);
      break;
    case SinkType::kAlertmanager: {
      while (!r.url.empty() && r.url.back() == '/') r.url.pop_back();
      r.url += kAlertmanagerAlertsPath;
      r.body = RenderAlertmanagerAlerts(facts, config.firing_for_s * 1000);
      break;
    }
    case SinkType::kEmail:
      break;  // not an HTTP sink
  }
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back(kIdempotencyHeader, idempotency_key);
  r.headers.emplace_back("User-Agent", "llmscope-alert/1");
  return r;
}

SendResult JudgeHttpReply(int status, net::TransportError error, std::string_view error_message,
                          std::optional<std::string> retry_after, std::string_view body,
                          int64_t now_ms) {
  SendResult r;
  if (retry_after) r.retry_after_ms = ParseRetryAfterMs(*retry_after, now_ms);
  if (error != net::TransportError::kNone) {
    r.outcome = SendResult::Outcome::kRetry;
    r.detail = std::string(net::TransportErrorName(error)) + ": " + std::string(error_message);
    return r;
  }
  if (status >= 200 && status < 300) {
    r.outcome = SendResult::Outcome::kDelivered;
    r.detail = "HTTP " + std::to_string(status);
    return r;
  }
  const bool transient =
      status == 408 || status == 425 || status == 429 || status >= 500 || status == 0;
  r.outcome = transient ? SendResult::Outcome::kRetry : SendResult::Outcome::kReject;
  r.detail = "HTTP " + std::to_string(status);
  if (!body.empty()) r.detail += ": " + std::string(body.substr(0, 200));
  return r;
}

}  // namespace llmscope::alert

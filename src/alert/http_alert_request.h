// The HTTP request that carries an alert to a Slack, webhook, PagerDuty or Alertmanager sink,
// and the meaning of the reply. Pure: building and judging are separate from sending
// (alert/http_sink), so both are tested without a network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alert/alert_config.h"
#include "alert/alert_facts.h"
#include "alert/alert_sink.h"
#include "net/http_client.h"

namespace llmscope::alert {

inline constexpr const char* kSignatureHeader = "X-LLMscope-Signature";
inline constexpr const char* kIdempotencyHeader = "Idempotency-Key";

// POST to the sink's URL (Alertmanager: base URL + /api/v2/alerts) with the type's JSON body,
// Content-Type application/json, Idempotency-Key, and, for a webhook with a secret,
// X-LLMscope-Signature: sha256=<hex HMAC-SHA256 of the body>.
net::HttpRequest BuildHttpAlertRequest(const SinkConfig& config, const SinkSecrets& secrets,
                                       const AlertFacts& facts, const std::string& idempotency_key);

// 2xx: delivered. 408, 425, 429, 5xx and transport failures: retry (Retry-After read on any of
// them). Other statuses: reject. The detail quotes at most 200 bytes of the reply's body.
SendResult JudgeHttpReply(int status, net::TransportError error, std::string_view error_message,
                          std::optional<std::string> retry_after, std::string_view body,
                          int64_t now_ms);

}  // namespace llmscope::alert

// AlertSink: one configured receiver of alerts (Slack, e-mail, webhook, PagerDuty,
// Alertmanager). Send() makes one attempt and says how it went; retries, silences and rate
// limits belong to the dispatcher (alert/alert_dispatcher). Thread-safe: Send may be called
// from several threads at once. Nothing a sink reports (detail) holds a secret.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_config.h"
#include "alert/alert_facts.h"
#include "core/result.h"

namespace llmscope::alert {

struct SendResult {
  enum class Outcome {
    kDelivered,  // the receiver accepted it
    kRetry,      // a failure that may pass: refused, timeout, 429, 5xx, SMTP 4xx
    kReject,     // a failure that will not: 4xx other than 408/429, SMTP 5xx, login denied
  };
  Outcome outcome = Outcome::kRetry;
  std::optional<int64_t> retry_after_ms;  // the receiver's Retry-After, as a delay
  std::string detail;                     // "HTTP 503: ...", "refused: ..."; no secret
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // One attempt at delivering the alert; `idempotency_key` goes with it so a receiver can drop
  // repeats. `now_ms` (wall clock) dates the message where the format has a date.
  virtual SendResult Send(const AlertFacts& facts, const std::string& idempotency_key,
                          int64_t now_ms) = 0;
};

// The sink for `config` with its secrets. Errors "config_value" (a secret's variable unset).
Result<std::unique_ptr<AlertSink>> MakeSink(const SinkConfig& config, const EnvLookup& env);
// The sink for `config` with secrets already at hand (sealed in the store, or read already).
std::unique_ptr<AlertSink> MakeSink(const SinkConfig& config, SinkSecrets secrets);

// `text` with every occurrence of each non-empty secret replaced by "[redacted]".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace llmscope::alert

#include "alert/delivery_outcome.h"

namespace llmscope::alert {

void RecordAttempt(store::DeliveryRecord& d, const SendResult& r, const DeliveryPolicy& p, double u,
                   int64_t now_ms) {
  ++d.attempts;
  d.updated_ms = now_ms;
  if (r.outcome == SendResult::Outcome::kDelivered) {
    d.state = store::DeliveryState::kDelivered;
    d.delivered_ms = now_ms;
    d.last_error.clear();
    return;
  }
  d.last_error = r.detail;
  if (r.outcome == SendResult::Outcome::kRetry && d.attempts < p.max_attempts) {
    d.state = store::DeliveryState::kPending;
    d.next_attempt_ms =
        NextAttemptMs(p.backoff, d.attempts, u, now_ms, r.retry_after_ms, p.retry_after_cap_ms);
    return;
  }
  d.state = store::DeliveryState::kFailed;
  if (r.outcome == SendResult::Outcome::kRetry) {
    d.last_error += " (gave up after " + std::to_string(d.attempts) + " attempts)";
  }
}

void RecordSuppressed(store::DeliveryRecord& d, const std::string& reason, int64_t now_ms) {
  d.state = store::DeliveryState::kSuppressed;
  d.last_error = reason;
  d.updated_ms = now_ms;
}

void RecordFailed(store::DeliveryRecord& d, const std::string& reason, int64_t now_ms) {
  d.state = store::DeliveryState::kFailed;
  d.last_error = reason;
  d.updated_ms = now_ms;
}

void RecordDeferred(store::DeliveryRecord& d, const std::string& reason, int64_t at_ms,
                    int64_t now_ms) {
  d.state = store::DeliveryState::kPending;
  d.last_error = reason;
  d.next_attempt_ms = at_ms;
  d.updated_ms = now_ms;
}

}  // namespace llmscope::alert

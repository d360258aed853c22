// What one attempt (or a decision not to attempt) does to an outbox row.
// Pure: the time and the random draw are arguments.
#pragma once

#include <cstdint>
#include <string>

#include "alert/alert_sink.h"
#include "alert/retry_policy.h"
#include "store/records.h"

namespace llmscope::alert {

struct DeliveryPolicy {
  int max_attempts = 12;
  BackoffPolicy backoff;
  int64_t retry_after_cap_ms = 3600000;
};

// After a send: delivered; or, when the result says retry and attempts remain, pending again at
// NextAttemptMs (Retry-After honoured); else failed. attempts grows by one; last_error holds
// the result's detail (cleared on delivery); updated_ms = now.
void RecordAttempt(store::DeliveryRecord& d, const SendResult& result, const DeliveryPolicy& policy,
                   double u, int64_t now_ms);

// Not sent on purpose (silence, mute window, rate limit): suppressed, `reason` in last_error.
void RecordSuppressed(store::DeliveryRecord& d, const std::string& reason, int64_t now_ms);

// Given up without an attempt (the sink is no longer configured, the payload is unreadable).
void RecordFailed(store::DeliveryRecord& d, const std::string& reason, int64_t now_ms);

// Not yet: pending again at `at_ms` with `reason`, attempts unchanged (a resolve waiting for
// its open alert).
void RecordDeferred(store::DeliveryRecord& d, const std::string& reason, int64_t at_ms,
                    int64_t now_ms);

}  // namespace llmscope::alert

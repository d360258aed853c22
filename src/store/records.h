// What a Store keeps besides samples: stages and violations (docs/design.md "Data").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/sample.h"
#include "spc/firing.h"
#include "spc/stage.h"

namespace llmscope::store {

// A stage of one series. Saved when a stage begins learning (frozen = false; mean and sigma
// unset) and saved again, same (series, number), when it freezes.
struct StageRecord {
  SeriesKey series;
  spc::Stage stage;  // number, start_index, baseline_size, transform, σ method, μ̂, σ̂
  bool frozen = false;
  bool external_baseline = false;  // limits from a chosen window, not from the stage's own points
  int64_t start_sample_id = 0;     // id of the stage's first sample (0: from the next sample on)
  int64_t start_time_ms = 0;
  int64_t created_ms = 0;
};

enum class ViolationStatus : uint8_t { kOpen, kAcknowledged, kResolved };
std::string_view ViolationStatusName(ViolationStatus s);  // "open", "acknowledged", "resolved"
std::optional<ViolationStatus> ParseViolationStatus(std::string_view name);

// One violation event (docs/spc.md §5: consecutive firings of one rule grouped) with what an
// engineer needs to act: the limits and σ̂ it was judged by and the context around it.
struct ViolationRecord {
  int64_t id = 0;  // assigned by the store
  SeriesKey series;
  spc::Rule rule = spc::Rule::kR1;
  spc::Phase phase = spc::Phase::kMonitoring;
  int stage = 0;
  int64_t first_index = 0, last_index = 0, count = 0;
  int64_t first_time_ms = 0, last_time_ms = 0;
  double value = 0;                 // the first point, original unit
  double worst_value = 0;           // the point furthest from the center, original unit
  std::optional<double> deviation;  // worst point's deviation in σ̂; null on a degenerate stage
  double mean = 0, sigma = 0;       // the stage's μ̂, σ̂ (chart scale)
  spc::Limits limits;               // original unit
  // JSON text, opaque to the store: the ±10 points around the event (filled in as they arrive)
  // and the telemetry snapshot at its first point.
  std::string context_json;
  ViolationStatus status = ViolationStatus::kOpen;
  std::string status_by;  // who acknowledged or resolved it
  int64_t status_time_ms = 0;
  int64_t created_ms = 0;
};

// A violation as a chart marks it (Store::QueryViolationMarks): its id, onset, rule and phase.
struct ViolationMark {
  int64_t id = 0;
  int64_t first_time_ms = 0;
  spc::Rule rule = spc::Rule::kR1;
  spc::Phase phase = spc::Phase::kMonitoring;

  friend bool operator==(const ViolationMark&, const ViolationMark&) = default;
};

// One row of the durable alert outbox (docs/design.md "alert outbox"): one alert of one violation
// event to one sink. `key` is the idempotency key sent to the receiver, unique in the store, so
// enqueuing the same alert twice (a restart, a second server on one database) keeps one row.
enum class DeliveryKind : uint8_t { kOpen, kResolve, kTest };
std::string_view DeliveryKindName(DeliveryKind k);  // "open", "resolve", "test"
std::optional<DeliveryKind> ParseDeliveryKind(std::string_view name);

// pending: to be tried at next_attempt_ms; delivered: the receiver accepted it; failed: given up
// after the last attempt; suppressed: not sent, by a silence, a mute window or a rate limit
// (last_error says which).
enum class DeliveryState : uint8_t { kPending, kDelivered, kFailed, kSuppressed };
std::string_view DeliveryStateName(DeliveryState s);  // "pending", "delivered", ...
std::optional<DeliveryState> ParseDeliveryState(std::string_view name);

struct DeliveryRecord {
  int64_t id = 0;            // assigned by the store
  std::string key;           // idempotency key, unique; e.g. "v42/ops-hook/open"
  int64_t violation_id = 0;  // 0 for a test alert
  std::string sink;          // the sink's name in the config
  DeliveryKind kind = DeliveryKind::kOpen;
  std::string payload_json;  // the alert as rendered when enqueued; opaque to the store
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;        // never holds a secret
  std::string claimed_by;        // the sender that holds the row; empty when free
  int64_t claimed_until_ms = 0;  // the claim lapses at this time (a crashed sender)
  int64_t created_ms = 0, updated_ms = 0, delivered_ms = 0;
};

// A silence: alerts of matching violations are not sent between starts_ms and ends_ms. Empty
// match fields match anything; `rule` is a rule name ("R1", "EWMA", ...).
struct SilenceRecord {
  int64_t id = 0;  // assigned by the store
  std::string provider, model, metric, rule;
  int64_t starts_ms = 0, ends_ms = 0;
  std::string created_by, comment;
  int64_t created_ms = 0;
};

}  // namespace llmscope::store

// AlertOutbox: the enqueue side of alerting (docs/design.md "alert outbox"). Turns violations into
// durable outbox rows, one per (violation event, sink, kind), with idempotency keys
// "v<id>/<sink>/open" and "v<id>/<sink>/resolve"; the AlertDispatcher sends them.
//
// - A violation event that opens in the monitoring phase, of a severity at least min_severity
//   (warning by default: the alarm detectors' SHIFT, JUMP and ERRORS), is routed (alerts.routes)
//   and gets one "open" row per sink: one alert per event, never per firing (updates of a growing
//   event and Phase I findings raise none).
// - Grouping: when another monitoring violation of the same source, at least as severe, opened
//   within group_window_s before it, its rows are stored suppressed ("grouped with violation
//   N"), not sent: a regression that moves e2e, TTFT, TPOT and tokens/s at once pages once.
//   A more severe one (a JUMP after a SHIFT) is sent.
// - A violation resolved (POST /api/violations/{id}/resolve) gets a "resolve" row for each sink
//   that has its open row and send_resolved: PagerDuty resolves the incident, Alertmanager gets
//   endsAt, Slack, e-mail and webhooks a resolved notice. Acknowledging sends nothing.
// - CatchUp() (on start) enqueues open monitoring violations of the last catch_up_s, so an
//   alert whose violation was written just before a crash is not lost; keys make it a no-op
//   for those already enqueued, by this server or another on the same database.
// Thread-safe (the store is; Reconfigure swaps the config under a lock). `on_enqueued` is called
// after rows were added (wakes senders).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_config.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace llmscope::alert {

std::string DeliveryKey(int64_t violation_id, const std::string& sink, store::DeliveryKind kind);

// What the outbox hears of the monitor: a violation event opened, or one was resolved.
struct ViolationChange {
  enum class Kind : uint8_t { kOpened, kResolved };
  Kind kind = Kind::kOpened;
  const store::ViolationRecord* violation = nullptr;  // valid during the call
};

class AlertOutbox {
 public:
  using Clock = llmscope::Clock;
  using Log = std::function<void(const std::string&)>;

  // `store` must outlive the outbox.
  AlertOutbox(store::Store& store, AlertConfig config, Clock now, Log log,
              std::function<void()> on_enqueued = {});

  // Routes and sinks changed (docs/design.md "Settings"): rows enqueued from now on follow
  // `config`; rows already in the outbox stay as they are.
  void Reconfigure(AlertConfig config);

  // Opened events and resolutions, as above (AlertService feeds it the monitor's events).
  void OnViolationChanges(const std::vector<ViolationChange>& changes);

  // Enqueues the open alert of `v` for its routed sinks; returns rows added.
  Result<int> EnqueueOpen(const store::ViolationRecord& v);
  // Enqueues the resolve notices of `v` (status resolved); returns rows added.
  Result<int> EnqueueResolve(const store::ViolationRecord& v);
  // Enqueues open alerts of open monitoring violations whose last point is at most catch_up_s
  // old. Returns rows added.
  Result<int> CatchUp();
  // A test alert to `sink`, due now; returns its key ("test/<sink>/<now ms>"). "not_found" for
  // an unknown sink.
  Result<std::string> EnqueueTest(const std::string& sink);

 private:
  // Inserts `row` due now: pending, or suppressed with `held_back` as its reason.
  Result<bool> Enqueue(store::DeliveryRecord& row, const std::string& held_back = "");
  // The id of a violation `v` is grouped with (see above); nullopt when none.
  Result<std::optional<int64_t>> GroupedWith(const store::ViolationRecord& v, Severity severity);

  std::shared_ptr<const AlertConfig> Config() const;

  store::Store& store_;
  mutable std::mutex config_mu_;
  std::shared_ptr<const AlertConfig> config_;
  Clock now_;
  Log log_;
  std::function<void()> on_enqueued_;
};

}  // namespace llmscope::alert

// AlertDispatcher: the sending side of the durable outbox. `senders`
// threads each claim due rows (Store::ClaimDueDeliveries with this process's owner id and a
// lease), decide, send, and record the outcome with FinishDelivery:
// - open alerts covered by a silence (POST /api/silences) or a mute window, or over their
//   sink's rate limit (checked on the first attempt), are suppressed with the reason;
// - a resolve waits while its open alert is pending, and is suppressed when the open alert was
//   not delivered (nothing to resolve);
// - otherwise the sink sends; delivered, or pending again with backoff and jitter (Retry-After
//   honoured), or failed after max_attempts or a final rejection.
// Delivery is at least once: a sender that dies mid-send leaves its claim to lapse, and the row
// is sent again by whoever claims it next, with the same idempotency key.
// Rows survive restarts; a row whose sink left the config fails with that reason.
// Reconfigure swaps sinks, routes and mute windows while senders run (docs/design.md
// "Settings"): a send in flight finishes with the sink it began with; the next claim sees the
// new set, so a row of a deleted sink ends failed ("no sink named ...") instead of waiting.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alert/alert_config.h"
#include "alert/alert_sink.h"
#include "alert/delivery_outcome.h"
#include "alert/token_bucket.h"
#include "core/clock.h"
#include "store/store.h"

namespace llmscope::alert {

// "<host>:<pid>:<random>": unique per process, for claims.
std::string ProcessOwnerId();

struct DispatcherOptions {
  std::string owner;            // claims are made in this name
  int64_t idle_poll_ms = 1000;  // how often an idle sender looks for due rows
  int claim_batch = 4;          // rows one sender claims at once
  Clock now = SystemClock();
  std::function<double()> random;  // uniform in [0, 1), for jitter
  std::function<void(const std::string&)> log;
};

class AlertDispatcher {
 public:
  using SinkMap = std::map<std::string, std::unique_ptr<AlertSink>>;

  // `store` must outlive the dispatcher. `sinks` by name, as configured.
  AlertDispatcher(store::Store& store, AlertConfig config, SinkMap sinks,
                  DispatcherOptions options);
  ~AlertDispatcher();  // Stop()s
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // Takes effect at the senders' next claim. The senders' count and the retry policy stay.
  void Reconfigure(AlertConfig config, SinkMap sinks);

  void Start();
  // Lets sends in flight finish (bounded by the sinks' timeouts) and joins the threads.
  void Stop();
  // New rows are due: idle senders look now instead of at their next poll.
  void Wake();
  // One claim-and-handle round on the calling thread; returns the rows handled.
  int RunOnce();

  // The lease a claim takes: long enough for claim_batch sends at the slowest sink's timeout.
  int64_t lease_ms() const;

 private:
  // What the senders use: the config and its sinks, swapped whole by Reconfigure.
  struct Routing {
    AlertConfig config;
    std::map<std::string, std::shared_ptr<AlertSink>> sinks;
  };
  std::shared_ptr<const Routing> routing() const;

  void Loop();
  void Handle(const Routing& routing, store::DeliveryRecord& d,
              const std::vector<store::SilenceRecord>& silences);
  // Rate limit of the sink at `now_ms`; true when a token was taken (or there is no limit).
  bool TakeToken(const SinkConfig& sink, int64_t now_ms);

  store::Store& store_;
  const int senders_;
  DispatcherOptions options_;
  DeliveryPolicy policy_;
  mutable std::mutex routing_mu_;
  std::shared_ptr<const Routing> routing_;
  int64_t lease_ms_ = 0;

  std::mutex buckets_mu_;
  std::map<std::string, TokenBucket> buckets_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t wakes_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace llmscope::alert

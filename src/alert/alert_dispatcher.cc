#include "alert/alert_dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "alert/alert_facts.h"
#include "alert/routing.h"

namespace llmscope::alert {
namespace {

constexpr int64_t kResolveRecheckMs = 1000;

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string ProcessOwnerId() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(rd());
}

AlertDispatcher::AlertDispatcher(store::Store& store, AlertConfig config, SinkMap sinks,
                                 DispatcherOptions options)
    : store_(store), senders_(config.senders), options_(std::move(options)) {
  policy_.max_attempts = config.max_attempts;
  policy_.backoff = BackoffPolicy{config.backoff_base_ms, config.backoff_cap_ms};
  policy_.retry_after_cap_ms = config.retry_after_cap_ms;
  Reconfigure(std::move(config), std::move(sinks));
}

void AlertDispatcher::Reconfigure(AlertConfig config, SinkMap sinks) {
  auto next = std::make_shared<Routing>();
  double slowest_s = 1;
  for (const SinkConfig& s : config.sinks) slowest_s = std::max(slowest_s, s.timeout_s);
  next->config = std::move(config);
  for (auto& [name, sink] : sinks) next->sinks.emplace(name, std::move(sink));
  {
    std::lock_guard<std::mutex> lock(routing_mu_);
    routing_ = std::move(next);
    lease_ms_ = static_cast<int64_t>(options_.claim_batch * slowest_s * 1000) + 5000;
  }
  // A sink's rate or burst may have changed: its bucket starts again.
  std::lock_guard<std::mutex> lock(buckets_mu_);
  buckets_.clear();
}

std::shared_ptr<const AlertDispatcher::Routing> AlertDispatcher::routing() const {
  std::lock_guard<std::mutex> lock(routing_mu_);
  return routing_;
}

int64_t AlertDispatcher::lease_ms() const {
  std::lock_guard<std::mutex> lock(routing_mu_);
  return lease_ms_;
}

AlertDispatcher::~AlertDispatcher() {
  Stop();
}

void AlertDispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;
  for (int i = 0; i < senders_; ++i) threads_.emplace_back([this] { Loop(); });
}

void AlertDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void AlertDispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

void AlertDispatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const uint64_t seen = wakes_;
    lock.unlock();
    const int handled = RunOnce();
    lock.lock();
    // Busy: go on at once. Idle: wait for a wake or the next poll.
    if (handled == 0) {
      cv_.wait_for(lock, std::chrono::milliseconds(options_.idle_poll_ms),
                   [&] { return stop_ || wakes_ != seen; });
    }
  }
}

int AlertDispatcher::RunOnce() {
  const int64_t now = options_.now();
  Result<std::vector<store::DeliveryRecord>> claimed =
      store_.ClaimDueDeliveries(options_.owner, now, lease_ms(), options_.claim_batch);
  if (!claimed) {
    options_.log("alert: cannot claim deliveries: " + claimed.error().message);
    return 0;
  }
  if (claimed->empty()) return 0;
  Result<std::vector<store::SilenceRecord>> silences = store_.ActiveSilences(now);
  if (!silences) {
    // Without the silences nothing may be sent; the claims lapse and the rows come back.
    options_.log("alert: cannot read silences: " + silences.error().message);
    return 0;
  }
  const std::shared_ptr<const Routing> routing = this->routing();
  for (store::DeliveryRecord& d : *claimed) Handle(*routing, d, *silences);
  return static_cast<int>(claimed->size());
}

bool AlertDispatcher::TakeToken(const SinkConfig& config, int64_t now_ms) {
  if (config.rate_per_minute <= 0) return true;
  std::lock_guard<std::mutex> lock(buckets_mu_);
  auto it = buckets_.find(config.name);
  if (it == buckets_.end()) {
    it = buckets_.emplace(config.name, TokenBucket(config.rate_per_minute, config.burst, now_ms))
             .first;
  }
  return it->second.TryTake(now_ms);
}

void AlertDispatcher::Handle(const Routing& routing, store::DeliveryRecord& d,
                             const std::vector<store::SilenceRecord>& silences) {
  const int64_t now = options_.now();
  auto sink = routing.sinks.find(d.sink);
  const SinkConfig* sink_config = routing.config.FindSink(d.sink);
  Result<AlertFacts> facts = FactsFromJson(d.payload_json);
  bool decided = true;  // false: send it now
  if (sink == routing.sinks.end() || sink_config == nullptr) {
    // Its sink was deleted (or left the file) while the row waited: it ends failed, once.
    RecordFailed(d, "no sink named '" + d.sink + "' in the config", now);
  } else if (!facts) {
    RecordFailed(d, facts.error().message, now);
  } else if (d.kind == store::DeliveryKind::kResolve) {
    // A resolve goes after its open alert, and only if that was delivered.
    Result<std::vector<store::DeliveryRecord>> rows = store_.DeliveriesOfViolation(d.violation_id);
    const store::DeliveryRecord* open = nullptr;
    if (rows) {
      for (const store::DeliveryRecord& r : *rows) {
        if (r.sink == d.sink && r.kind == store::DeliveryKind::kOpen) open = &r;
      }
    }
    if (!rows) {
      RecordDeferred(d, rows.error().message, now + kResolveRecheckMs, now);
    } else if (open != nullptr && open->state == store::DeliveryState::kPending) {
      RecordDeferred(d, "waiting for the open alert",
                     std::max(open->next_attempt_ms, now) + kResolveRecheckMs, now);
    } else if (open == nullptr || open->state != store::DeliveryState::kDelivered) {
      RecordSuppressed(d, "the open alert was not delivered: nothing to resolve", now);
    } else {
      decided = false;
    }
  } else if (d.kind == store::DeliveryKind::kOpen) {
    std::optional<std::string> held = HeldBack(*facts, silences, routing.config.mutes, now);
    if (held) {
      RecordSuppressed(d, *held, now);
    } else if (d.attempts == 0 && !TakeToken(*sink_config, now)) {
      RecordSuppressed(d,
                       "over the rate limit of sink '" + d.sink + "' (" +
                           Number(sink_config->rate_per_minute) + " per minute, burst " +
                           std::to_string(sink_config->burst) + ")",
                       now);
    } else {
      decided = false;
    }
  } else {
    decided = false;  // a test alert
  }
  if (!decided) {
    const SendResult result = sink->second->Send(*facts, d.key, now);
    RecordAttempt(d, result, policy_, options_.random(), options_.now());
  }
  Status finished = store_.FinishDelivery(d, options_.owner);
  if (!finished) {
    options_.log("alert: " + d.key + ": outcome not recorded: " + finished.error().message);
    return;
  }
  if (d.state != store::DeliveryState::kPending) {
    options_.log("alert: " + d.key + " " + std::string(store::DeliveryStateName(d.state)) +
                 (d.last_error.empty() ? "" : " (" + d.last_error + ")") + " after " +
                 std::to_string(d.attempts) + " attempt(s)");
  }
}

}  // namespace llmscope::alert

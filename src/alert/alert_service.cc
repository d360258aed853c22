#include "alert/alert_service.h"

#include <chrono>
#include <mutex>
#include <random>

#include "core/clock.h"

namespace llmscope::alert {
Result<std::unique_ptr<AlertService>> AlertService::Start(const AlertConfig& config,
                                                          store::Store& store,
                                                          monitor::SeriesMonitor& monitor,
                                                          const EnvLookup& env, const Log& log) {
  AlertDispatcher::SinkMap sinks;
  for (const SinkConfig& s : config.sinks) {
    Result<std::unique_ptr<AlertSink>> sink = MakeSink(s, env);
    if (!sink) return sink.error();
    sinks.emplace(s.name, std::move(*sink));
  }
  std::unique_ptr<AlertService> service(new AlertService());
  service->owner_ = ProcessOwnerId();
  DispatcherOptions options;
  options.owner = service->owner_;
  options.now = SystemNowMs;
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  auto rng_mu = std::make_shared<std::mutex>();
  options.random = [rng, rng_mu] {
    std::lock_guard<std::mutex> lock(*rng_mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(*rng);
  };
  options.log = log;
  service->dispatcher_ =
      std::make_shared<AlertDispatcher>(store, config, std::move(sinks), std::move(options));
  std::weak_ptr<AlertDispatcher> dispatcher = service->dispatcher_;
  service->outbox_ = std::make_shared<AlertOutbox>(store, config, SystemNowMs, log, [dispatcher] {
    if (std::shared_ptr<AlertDispatcher> d = dispatcher.lock()) d->Wake();
  });
  std::weak_ptr<AlertOutbox> weak = service->outbox_;
  monitor.AddListener([weak](const monitor::MonitorBatch& batch) {
    std::shared_ptr<AlertOutbox> outbox = weak.lock();
    if (!outbox) return;
    std::vector<ViolationChange> changes;
    for (const monitor::MonitorEvent& e : batch.events) {
      if (e.kind == monitor::MonitorEvent::Kind::kViolationOpened) {
        changes.push_back({ViolationChange::Kind::kOpened, &e.violation});
      } else if (e.kind == monitor::MonitorEvent::Kind::kViolationStatus &&
                 e.violation.status == store::ViolationStatus::kResolved) {
        changes.push_back({ViolationChange::Kind::kResolved, &e.violation});
      }
    }
    if (!changes.empty()) outbox->OnViolationChanges(changes);
  });
  Result<int> caught_up = service->outbox_->CatchUp();
  if (!caught_up) return caught_up.error();
  if (*caught_up > 0) {
    log("alert: enqueued " + std::to_string(*caught_up) + " alert(s) of recent open violations");
  }
  service->dispatcher_->Start();
  return service;
}

void AlertService::Reconfigure(const AlertConfig& config, AlertDispatcher::SinkMap sinks) {
  outbox_->Reconfigure(config);
  dispatcher_->Reconfigure(config, std::move(sinks));
  dispatcher_->Wake();
}

AlertService::~AlertService() {
  if (dispatcher_) dispatcher_->Stop();
}

}  // namespace llmscope::alert

// AlertService: alerting as `llmscope serve` runs it. Makes the configured sinks (reading their
// secrets from the environment), listens to the SeriesMonitor through an AlertOutbox, enqueues
// missed alerts (CatchUp), and runs the AlertDispatcher until destroyed. Reconfigure applies
// changed sinks, routes and mute windows live.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "alert/alert_config.h"
#include "alert/alert_dispatcher.h"
#include "alert/alert_outbox.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "store/store.h"

namespace llmscope::alert {

class AlertService {
 public:
  using Log = std::function<void(const std::string&)>;

  // Errors "config_value" (a secret's variable unset) and storage errors of the catch-up.
  // `store` and `monitor` must outlive the service; the monitor's listener holds the outbox.
  static Result<std::unique_ptr<AlertService>> Start(const AlertConfig& config, store::Store& store,
                                                     monitor::SeriesMonitor& monitor,
                                                     const EnvLookup& env, const Log& log);
  ~AlertService();  // stops the dispatcher (sends in flight finish)

  // Applies another set of sinks, routes and mute windows (the file's and the settings'; see
  // alert_settings.h) without a restart: new alerts are routed by it at once, rows waiting in
  // the outbox are sent by it at their next claim. Thread-safe.
  void Reconfigure(const AlertConfig& config, AlertDispatcher::SinkMap sinks);

  AlertOutbox& outbox() { return *outbox_; }
  const std::string& owner() const { return owner_; }

 private:
  AlertService() = default;

  std::string owner_;
  std::shared_ptr<AlertOutbox> outbox_;
  std::shared_ptr<AlertDispatcher> dispatcher_;
};

}  // namespace llmscope::alert

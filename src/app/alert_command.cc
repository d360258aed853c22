#include "app/alert_command.h"

#include <chrono>
#include <ostream>
#include <random>
#include <thread>

#include "alert/alert_facts.h"
#include "alert/alert_sink.h"
#include "alert/retry_policy.h"
#include "app/config.h"
#include "app/exit_codes.h"
#include "core/clock.h"

namespace llmscope::app {
namespace {}  // namespace

CLI::App* AddAlertCommand(CLI::App& app, AlertTestOptions& o) {
  CLI::App* alert = app.add_subcommand("alert", "Alerting tools");
  alert->require_subcommand(1);
  CLI::App* test =
      alert->add_subcommand("test", "Send a test alert to one sink and say whether it arrived");
  test->add_option("sink", o.sink, "the sink's name in [[alerts.sinks]]")->required();
  test->add_option("--config", o.config_file, "TOML config file (see llmscope.example.toml)");
  test->add_option("--timeout", o.timeout_s, "give up after this many seconds (default 30)")
      ->check(CLI::Range(0.1, 3600.0));
  return test;
}

int RunAlertTest(const AlertTestOptions& o, std::ostream& out, std::ostream& err) {
  Result<Config> config = LoadConfig(o.config_file, ProcessEnv);
  if (!config) {
    err << "llmscope alert test: " << config.error().message << "\n";
    return kExitRuntime;
  }
  const alert::AlertConfig& alerts = config->alerts;
  const alert::SinkConfig* sink_config = alerts.FindSink(o.sink);
  if (sink_config == nullptr) {
    err << "llmscope alert test: no sink named '" << o.sink << "' in [[alerts.sinks]]";
    if (!alerts.sinks.empty()) {
      err << " (configured:";
      for (const alert::SinkConfig& s : alerts.sinks) err << " " << s.name;
      err << ")";
    }
    err << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<alert::AlertSink>> sink = alert::MakeSink(*sink_config, ProcessEnv);
  if (!sink) {
    err << "llmscope alert test: " << sink.error().message << "\n";
    return kExitRuntime;
  }
  const int64_t start = SystemNowMs();
  const int64_t deadline = start + static_cast<int64_t>(o.timeout_s * 1000);
  const alert::AlertFacts facts = alert::TestFacts(start, alerts.public_url);
  const std::string key = "test/" + o.sink + "/" + std::to_string(start);
  const alert::BackoffPolicy backoff{std::min<int64_t>(alerts.backoff_base_ms, 1000),
                                     std::min<int64_t>(alerts.backoff_cap_ms, 10000)};
  std::mt19937_64 rng(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    const alert::SendResult r = (*sink)->Send(facts, key, SystemNowMs());
    if (r.outcome == alert::SendResult::Outcome::kDelivered) {
      out << "delivered: test alert " << key << " accepted by sink '" << o.sink << "' ("
          << alert::SinkTypeName(sink_config->type) << ", " << r.detail << ") after " << attempt
          << " attempt(s)\n";
      return kExitOk;
    }
    err << "llmscope alert test: attempt " << attempt << " failed: " << r.detail << "\n";
    const int64_t now = SystemNowMs();
    const int64_t next =
        alert::NextAttemptMs(backoff, attempt, std::uniform_real_distribution<double>(0, 1)(rng),
                             now, r.retry_after_ms, alerts.retry_after_cap_ms);
    if (r.outcome == alert::SendResult::Outcome::kReject || next >= deadline) {
      out << "not delivered: sink '" << o.sink << "' did not accept the test alert (" << r.detail
          << ")\n";
      return kExitRuntime;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(next - now));
  }
}

}  // namespace llmscope::app

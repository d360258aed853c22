// Scheduler timing: 100 targets at 1 s intervals for --seconds (default 10), with the random
// jitter off so every call is due exactly 1 s after the previous one of its target. Each
// provider answers at once and records when it was called (monotonic clock). Prints p50, p99
// and max of |interval − 1 s| over all consecutive calls, and the skipped ticks.
//
//   ./build/bench/scheduler_jitter_bench [seconds]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "probe/scheduler.h"
#include "telemetry/host_telemetry.h"

namespace {

using Clock = std::chrono::steady_clock;

// Answers at once; remembers when each call began.
class RecordingProvider : public llmscope::probe::Provider {
 public:
  explicit RecordingProvider(std::vector<Clock::time_point>* calls) : calls_(calls) {}
  llmscope::Sample Call(const llmscope::probe::PromptProfile&) override {
    calls_->push_back(Clock::now());  // one target's calls never overlap
    llmscope::Sample s;
    s.e2e_ms = 1;
    return s;
  }

 private:
  std::vector<Clock::time_point>* calls_;
};

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10;
  constexpr int kTargets = 100;
  std::vector<std::vector<Clock::time_point>> calls(kTargets);
  std::vector<llmscope::probe::ScheduledTarget> targets;
  for (int i = 0; i < kTargets; ++i) {
    llmscope::probe::Target t;
    t.name = "t" + std::to_string(i);
    t.provider = "bench";
    t.model = t.name;
    t.interval_s = 1;
    targets.push_back({t, std::make_unique<RecordingProvider>(&calls[i])});
  }
  llmscope::telemetry::HostTelemetry telemetry;
  llmscope::probe::SchedulerOptions options;
  options.jitter = 0;
  llmscope::probe::ProbeScheduler scheduler(
      std::move(targets), [](std::vector<llmscope::Sample>) {}, telemetry, options);
  scheduler.Start();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  scheduler.Stop();

  std::vector<double> errors_ms;
  for (const auto& c : calls) {
    for (size_t i = 1; i < c.size(); ++i) {
      const double interval = std::chrono::duration<double, std::milli>(c[i] - c[i - 1]).count();
      errors_ms.push_back(std::fabs(interval - 1000.0));
    }
  }
  int64_t skipped = 0;
  for (const auto& s : scheduler.stats()) skipped += s.skipped_ticks;
  std::sort(errors_ms.begin(), errors_ms.end());
  auto pct = [&](double p) {
    return errors_ms.empty() ? 0.0
                             : errors_ms[std::min(errors_ms.size() - 1,
                                                  static_cast<size_t>(p * errors_ms.size()))];
  };
  std::printf(
      "{\"targets\": %d, \"intervals\": %zu, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
      "\"max_ms\": %.3f, \"skipped_ticks\": %lld}\n",
      kTargets, errors_ms.size(), pct(0.5), pct(0.99), errors_ms.empty() ? 0.0 : errors_ms.back(),
      static_cast<long long>(skipped));
  return 0;
}

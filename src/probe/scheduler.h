// ProbeScheduler: calls many targets, each on its own interval.
//
// Each target ticks every interval_s, stretched or shrunk by a random ±10% each time (jitter),
// the first tick within the first 10% of an interval. A tick dispatches one call to a pool of
// worker threads; a target whose previous call is still running skips the tick (counted), so
// calls of one target never overlap and a slow or dead provider holds one worker at most, for
// at most its timeout, never delaying the others while workers are free. A target with several
// prompt profiles calls them in turn, one per tick. interval_s = 0 calls back to back.
//
// Each sample gets the host telemetry of the moment (HostTelemetry::Read), the prompt's hash and
// text, and is handed to the sink as a batch of one, from a worker thread: the sink must be
// thread-safe, and should be quick (it holds a worker).
//
// Targets can be added, replaced and removed while it runs (Put, Remove), each under a key:
// a put target ticks first within the first 10% of its interval; a replaced or removed target's
// call still running finishes and its sample is dropped, and its stats go with it.
//
// Thread-safety: Start, Stop, Put, Remove, WaitForCalls and stats may be called from any thread. The
// scheduler owns the providers. `telemetry` must outlive the scheduler; after Stop returns the
// sink and the telemetry are no longer called, even by a call still stuck past its timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/sample.h"
#include "probe/provider.h"
#include "probe/target.h"
#include "telemetry/host_telemetry.h"

namespace llmscope::probe {

using SampleSink = std::function<void(std::vector<Sample> samples)>;

struct ScheduledTarget {
  Target target;
  std::unique_ptr<Provider> provider;  // must not be null
};

struct SchedulerOptions {
  int workers = 0;              // 0: min(8, number of targets)
  double jitter = 0.1;          // each interval is scaled by a uniform factor in [1 − j, 1 + j]
  int64_t max_calls = 0;        // per target; 0: no limit (the target ticks until Stop)
  double stop_grace_s = 1;      // Stop waits for each call up to its timeout_s plus this
  unsigned long long seed = 0;  // of the jitter; 0: from the clock
};

struct TargetStats {
  std::string key;  // see Put; a target given to the constructor has its name as its key
  std::string name;
  int64_t calls = 0;          // finished calls
  int64_t errors = 0;         // of which failed
  int64_t skipped_ticks = 0;  // ticks that found the previous call still running
  bool in_flight = false;
};

// FNV-1a (64 bits) of the prompt, as 16 hex digits: the sample's prompt_hash.
std::string PromptHash(std::string_view prompt);

class ProbeScheduler {
 public:
  ProbeScheduler(std::vector<ScheduledTarget> targets, SampleSink sink,
                 telemetry::HostTelemetry& telemetry, SchedulerOptions options = {});
  // Stops (see Stop).
  ~ProbeScheduler();
  ProbeScheduler(const ProbeScheduler&) = delete;
  ProbeScheduler& operator=(const ProbeScheduler&) = delete;

  // Starts the timer and the workers. Once only.
  void Start();

  // Adds `target` under `key`, or replaces the target with that key (its counts restart).
  // Works before and after Start; ignored after Stop.
  void Put(const std::string& key, ScheduledTarget target);
  // Removes the target with that key; false when there is none.
  bool Remove(const std::string& key);

  // Stops ticking, drops dispatched calls not yet begun, and waits for each call in flight up to
  // its target's timeout_s (from the call's start) plus stop_grace_s. Returns false when some
  // call was still running then: its worker is left to finish on its own (it keeps its
  // provider alive), and its sample is dropped. Idempotent.
  bool Stop();

  // With max_calls: blocks until every target has finished max_calls calls, or `timeout`
  // passes, or Stop; true when all finished.
  bool WaitForCalls(std::chrono::milliseconds timeout);

  std::vector<TargetStats> stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace llmscope::probe

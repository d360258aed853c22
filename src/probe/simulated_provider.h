// SimulatedProvider: an LLM service that does not exist. End-to-end
// latencies are log-normal around `median_e2e_ms` with σ = `sigma_log` on the log scale; the
// first token arrives after `ttft_share` of the call and the `tokens_out` tokens follow evenly.
// A call fails with probability `error_rate` (error_kind "http_5xx"). A call that answers is
// costed at `prices`, as a real provider's (the defaults price "simulated"/"sim-llm", so that a
// demo's cost view has figures).
//
// With `incidents`, the calls after the first kQuietCalls (so a baseline of 100 forms) cycle
// through the incidents docs/spc.md's rules detect, each long enough to fire its rule and separated
// by quiet stretches: a spike (one call +8σ: R1), a sustained shift (+2σ for 30 calls: R2), a slow
// drift (a steady climb over 30 calls with little noise: R3), an oscillation (alternating ±1σ
// for 24 calls: R4) and a variance drop (σ/5 for 30 calls: R7). IncidentAt() says which.
//
// The same seed gives the same series: every call draws the same count of random numbers,
// whatever its outcome. With `sleep` the call takes the simulated time for real (so live charts
// move in real time); without, it returns at once (tests). A call longer than the target's
// timeout_s ends as an error sample of kind "timeout" after timeout_s.
//
// Not thread-safe (one target's calls never overlap; the scheduler ensures it).
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "probe/price_table.h"
#include "probe/provider.h"

namespace llmscope::probe {

enum class SimIncident { kNone, kSpike, kShift, kDrift, kOscillation, kVarianceDrop };

// "none", "spike", "shift", "drift", "oscillation", "variance_drop".
std::string_view SimIncidentName(SimIncident incident);

class SimulatedProvider : public Provider {
 public:
  static constexpr int64_t kQuietCalls = 150;

  SimulatedProvider(const Target& target, PriceTable prices);

  Sample Call(const PromptProfile& profile) override;

  // The incident that shapes call number `call` (0-based) when incidents are on.
  static SimIncident IncidentAt(int64_t call);
  // The first call of each incident kind's first occurrence (for tests and docs).
  static int64_t FirstCallOf(SimIncident incident);

 private:
  Target target_;
  PriceTable prices_;
  std::mt19937_64 rng_;
  int64_t calls_ = 0;
};

}  // namespace llmscope::probe

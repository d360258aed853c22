#include "probe/simulated_provider.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <thread>
#include <utility>

#include "core/clock.h"

namespace llmscope::probe {
namespace {

// One cycle of incidents, repeated after the first kQuietCalls calls.
struct Segment {
  SimIncident incident;
  int64_t length;
};
constexpr std::array<Segment, 10> kCycle = {{{SimIncident::kSpike, 1},
                                             {SimIncident::kNone, 40},
                                             {SimIncident::kShift, 30},
                                             {SimIncident::kNone, 40},
                                             {SimIncident::kDrift, 30},
                                             {SimIncident::kNone, 40},
                                             {SimIncident::kOscillation, 24},
                                             {SimIncident::kNone, 40},
                                             {SimIncident::kVarianceDrop, 30},
                                             {SimIncident::kNone, 40}}};

constexpr int64_t CycleLength() {
  int64_t n = 0;
  for (const Segment& s : kCycle) n += s.length;
  return n;
}

// The incident at `call` and the call's offset within it.
std::pair<SimIncident, int64_t> Locate(int64_t call) {
  if (call < SimulatedProvider::kQuietCalls) return {SimIncident::kNone, call};
  int64_t at = (call - SimulatedProvider::kQuietCalls) % CycleLength();
  for (const Segment& s : kCycle) {
    if (at < s.length) return {s.incident, at};
    at -= s.length;
  }
  return {SimIncident::kNone, 0};
}

}  // namespace

std::string_view SimIncidentName(SimIncident incident) {
  switch (incident) {
    case SimIncident::kNone:
      return "none";
    case SimIncident::kSpike:
      return "spike";
    case SimIncident::kShift:
      return "shift";
    case SimIncident::kDrift:
      return "drift";
    case SimIncident::kOscillation:
      return "oscillation";
    case SimIncident::kVarianceDrop:
      return "variance_drop";
  }
  return "none";
}

SimulatedProvider::SimulatedProvider(const Target& target, PriceTable prices)
    : target_(target), prices_(std::move(prices)), rng_(target.simulated.seed) {}

SimIncident SimulatedProvider::IncidentAt(int64_t call) {
  return Locate(call).first;
}

int64_t SimulatedProvider::FirstCallOf(SimIncident incident) {
  int64_t at = kQuietCalls;
  for (const Segment& s : kCycle) {
    if (s.incident == incident) return at;
    at += s.length;
  }
  return 0;
}

Sample SimulatedProvider::Call(const PromptProfile& profile) {
  const SimulatedParams& p = target_.simulated;
  const auto started = std::chrono::steady_clock::now();
  Sample s;
  s.time_ms = SystemNowMs();
  s.source = SourceKey{target_.provider, target_.model, target_.site, profile.name};

  // Always two draws per call, so the series depends on the seed and the call count only.
  const double z = std::normal_distribution<double>(0.0, 1.0)(rng_);
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const int64_t call = calls_++;

  // The point on the log scale: μ + σ(shift + noise_scale · z), in units of σ.
  double shift = 0, noise = 1;
  if (p.incidents) {
    const auto [incident, k] = Locate(call);
    switch (incident) {
      case SimIncident::kNone:
        break;
      case SimIncident::kSpike:
        shift = 8;
        break;
      case SimIncident::kShift:
        shift = 2;
        break;
      case SimIncident::kDrift:
        shift = 4.0 * static_cast<double>(k + 1) / 30.0;
        noise = 0.05;
        break;
      case SimIncident::kOscillation:
        shift = (k % 2 == 0) ? 1 : -1;
        noise = 0.2;
        break;
      case SimIncident::kVarianceDrop:
        noise = 0.2;
        break;
    }
  }
  double e2e = p.median_e2e_ms * std::exp(p.sigma_log * (shift + noise * z));
  const bool failed = u < p.error_rate;
  if (failed) e2e *= 0.1;  // a server error answers quickly
  const double timeout_ms = target_.timeout_s * 1000.0;
  const bool timed_out = e2e > timeout_ms;
  const double took = std::min(e2e, timeout_ms);
  if (p.sleep) {
    std::this_thread::sleep_until(started + std::chrono::duration<double, std::milli>(took));
  }

  s.e2e_ms = took;
  s.tokens_in = static_cast<int64_t>(profile.prompt.size() / 4 + 1);
  if (timed_out) {
    s.error = true;
    s.error_kind = "timeout";
    s.error_message =
        "simulated call exceeded the timeout of " + std::to_string(target_.timeout_s) + " s";
    return s;
  }
  if (failed) {
    s.error = true;
    s.error_kind = "http_5xx";
    s.error_message = "simulated HTTP 503 Service Unavailable";
    return s;
  }
  const int64_t tokens = std::max(1, std::min(p.tokens_out, profile.max_tokens));
  s.tokens_out = tokens;
  s.cost_usd = prices_.Cost(target_.provider, target_.model, *s.tokens_in, tokens);
  if (target_.stream) {
    const double ttft = e2e * std::clamp(p.ttft_share, 0.0, 1.0);
    s.ttft_ms = ttft;
    if (tokens > 1) s.tpot_ms = (e2e - ttft) / static_cast<double>(tokens - 1);
    if (e2e > ttft) s.tokens_per_s = static_cast<double>(tokens) / ((e2e - ttft) / 1000.0);
  } else {
    s.tokens_per_s = static_cast<double>(tokens) / (e2e / 1000.0);
  }
  return s;
}

}  // namespace llmscope::probe

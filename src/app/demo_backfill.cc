#include "app/demo_backfill.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "core/clock.h"
#include "probe/scheduler.h"
#include "probe/simulated_provider.h"

namespace llmscope::app {
namespace {

// Samples per ingest call: large enough that a day takes few commits.
constexpr size_t kBatch = 2000;

// A host that is busier by day than by night: CPU 10–40 % on a daily wave with noise, memory
// near 45 %, no GPU.
Telemetry DemoTelemetry(int64_t time_ms, std::mt19937_64& rng) {
  const double day_phase = static_cast<double>(time_ms % kDemoDayMs) / kDemoDayMs;
  const double wave = std::sin(2 * std::numbers::pi * (day_phase - 0.25));  // peak at 12:00 UTC
  std::normal_distribution<double> noise(0.0, 1.0);
  Telemetry t;
  t.cpu_percent = std::clamp(25 + 12 * wave + 3 * noise(rng), 1.0, 100.0);
  t.memory_percent = std::clamp(45 + 2 * wave + 0.5 * noise(rng), 1.0, 100.0);
  return t;
}

// Two episodes of the kind a person is alerted to (docs/spc.md §9), which the simulated
// provider's short incidents are not: a slowdown (every latency ×1.4 for 20 minutes, 16 h before
// now: SHIFT) and an outage (two calls in five fail fast with HTTP 503 for 5 minutes, 6 h before
// now: ERRORS). `ago_ms`: how long before now the sample is stamped.
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kSlowdownFromMs = 16 * kHourMs, kSlowdownMs = 20 * kMinuteMs;
constexpr int64_t kOutageFromMs = 6 * kHourMs, kOutageMs = 5 * kMinuteMs;
constexpr double kSlowdown = 1.4, kOutageFailures = 0.4;

void ApplyEpisodes(Sample& s, int64_t ago_ms, std::mt19937_64& rng) {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);  // drawn every call
  if (s.error) return;
  if (ago_ms <= kSlowdownFromMs && ago_ms > kSlowdownFromMs - kSlowdownMs) {
    for (std::optional<double>* latency : {&s.e2e_ms, &s.ttft_ms, &s.tpot_ms}) {
      if (*latency) **latency *= kSlowdown;
    }
    if (s.tokens_per_s) *s.tokens_per_s /= kSlowdown;
  }
  if (ago_ms <= kOutageFromMs && ago_ms > kOutageFromMs - kOutageMs && u < kOutageFailures) {
    s.error = true;
    s.error_kind = "http_5xx";
    s.error_message = "simulated HTTP 503 Service Unavailable";
    if (s.e2e_ms) *s.e2e_ms *= 0.1;  // a server error answers quickly, as the provider's do
    s.ttft_ms.reset();
    s.tpot_ms.reset();
    s.tokens_per_s.reset();
    s.tokens_out.reset();
  }
}

}  // namespace

Result<DemoDay> BackfillDemoDay(monitor::SeriesMonitor& monitor, store::Store& store,
                                const probe::Target& target, const probe::PriceTable& prices,
                                int64_t now_ms, int64_t step_ms, bool keep_prompt_text) {
  probe::Target quick = target;
  quick.simulated.sleep = false;
  probe::SimulatedProvider provider(quick, prices);
  std::mt19937_64 telemetry_rng(quick.simulated.seed);
  const std::vector<probe::PromptProfile>& profiles =
      quick.profiles.empty() ? std::vector<probe::PromptProfile>{probe::PromptProfile{}}
                             : quick.profiles;
  for (const probe::PromptProfile& profile : profiles) {
    const SourceKey source{quick.provider, quick.model, quick.site, profile.name};
    if (Status s = store.MarkDemoSource(source, now_ms); !s) return s.error();
  }
  DemoDay day;
  std::vector<Sample> batch;
  batch.reserve(kBatch);
  auto flush = [&]() -> Status {
    Result<monitor::IngestReceipt> receipt = monitor.Ingest(std::move(batch));
    batch.clear();
    if (!receipt) return receipt.error();
    day.samples += static_cast<int64_t>(receipt->ids.size());
    return Status{};
  };
  size_t next_profile = 0;
  for (int64_t t = now_ms - kDemoDayMs; t < now_ms; t += step_ms) {
    const probe::PromptProfile& profile = profiles[next_profile++ % profiles.size()];
    Sample s = provider.Call(profile);
    s.time_ms = t;
    s.telemetry = DemoTelemetry(t, telemetry_rng);
    ApplyEpisodes(s, now_ms - t, telemetry_rng);
    s.prompt_hash = probe::PromptHash(profile.prompt);
    if (keep_prompt_text) s.prompt_text = profile.prompt;
    batch.push_back(std::move(s));
    if (batch.size() == kBatch) {
      if (Status s = flush(); !s) return s.error();
    }
  }
  if (!batch.empty()) {
    if (Status s = flush(); !s) return s.error();
  }
  // The store held nothing before, so every open violation is the backfill's.
  store::ViolationQuery open;
  open.status = store::ViolationStatus::kOpen;
  open.context = store::ViolationQuery::Context::kNone;
  open.limit = INT64_MAX;
  Result<std::vector<store::ViolationRecord>> found = store.QueryViolations(open);
  if (!found) return found.error();
  for (const store::ViolationRecord& v : *found) {
    Result<store::ViolationRecord> acknowledged =
        monitor.SetViolationStatus(v.id, store::ViolationStatus::kAcknowledged, kDemoUser, now_ms);
    if (!acknowledged) return acknowledged.error();
  }
  day.acknowledged = static_cast<int64_t>(found->size());
  return day;
}

Result<std::optional<DemoDay>> BackfillDemoDayIfEmpty(monitor::SeriesMonitor& monitor,
                                                      store::Store& store,
                                                      const probe::Target& target,
                                                      const probe::PriceTable& prices,
                                                      bool keep_prompt_text) {
  Result<store::StoreStats> stats = store.Stats();
  if (!stats) return stats.error();
  if (stats->samples > 0) return std::optional<DemoDay>();
  const auto step_ms = static_cast<int64_t>(std::llround(target.interval_s * 1000));
  Result<DemoDay> day = BackfillDemoDay(monitor, store, target, prices, SystemNowMs(),
                                        std::max<int64_t>(step_ms, 1000), keep_prompt_text);
  if (!day) return day.error();
  return std::optional<DemoDay>(*day);
}

}  // namespace llmscope::app

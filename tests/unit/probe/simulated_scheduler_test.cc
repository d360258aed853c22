// The simulated provider (reproducible series whose incidents fire their SPC rules), the probe
// scheduler (intervals, non-overlap, isolation of a slow target, bounded Stop) and the GPU
// telemetry's absent path. Bounded: each test runs for a few seconds at most.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "probe/provider_factory.h"
#include "probe/scheduler.h"
#include "probe/simulated_provider.h"
#include "spc/control_chart.h"
#include "telemetry/gpu_telemetry.h"

namespace llmscope::probe {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

Target SimTarget(unsigned long long seed, const std::string& name = "sim") {
  Target t;
  t.name = name;
  t.provider = "simulated";
  t.model = "sim-llm";
  t.simulated.seed = seed;
  t.simulated.sleep = false;
  return t;
}

std::vector<double> E2eSeries(const Target& target, int n) {
  SimulatedProvider p(target, PriceTable());
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(*p.Call(target.profiles[0]).e2e_ms);
  return out;
}

TEST(SimulatedProvider, SameSeedSameSamples) {
  Target t = SimTarget(42);
  t.simulated.error_rate = 0.1;
  SimulatedProvider a(t, PriceTable()), b(t, PriceTable());
  SimulatedProvider other(SimTarget(43), PriceTable());
  int differs = 0, errors = 0;
  for (int i = 0; i < 500; ++i) {
    const Sample x = a.Call(t.profiles[0]);
    const Sample y = b.Call(t.profiles[0]);
    const Sample z = other.Call(t.profiles[0]);
    ASSERT_EQ(x.e2e_ms, y.e2e_ms) << i;
    ASSERT_EQ(x.ttft_ms, y.ttft_ms) << i;
    ASSERT_EQ(x.tpot_ms, y.tpot_ms) << i;
    ASSERT_EQ(x.tokens_per_s, y.tokens_per_s) << i;
    ASSERT_EQ(x.error, y.error) << i;
    ASSERT_EQ(x.error_kind, y.error_kind) << i;
    if (x.e2e_ms != z.e2e_ms) ++differs;
    if (x.error) {
      ++errors;
      EXPECT_EQ(x.error_kind, "http_5xx");
      EXPECT_FALSE(x.error_message.empty());
    } else {
      EXPECT_GT(*x.ttft_ms, 0);
      EXPECT_LT(*x.ttft_ms, *x.e2e_ms);
      EXPECT_EQ(*x.tokens_out, 48);
    }
    EXPECT_EQ(x.source.provider, "simulated");
    EXPECT_EQ(x.source.model, "sim-llm");
    EXPECT_EQ(x.source.profile, "short");
  }
  EXPECT_GT(differs, 490);
  EXPECT_GT(errors, 20);  // 10% of 500, loosely
  EXPECT_LT(errors, 90);
}

TEST(SimulatedProvider, AnsweredCallsAreCostedAtThePriceTable) {
  Target t = SimTarget(11);
  t.simulated.error_rate = 0.2;
  SimulatedProvider priced(t, PriceTable::Defaults());  // sim-llm: $0.15 in, $0.60 out per Mtok
  SimulatedProvider unpriced(t, PriceTable());
  int answered = 0, failed = 0;
  for (int i = 0; i < 200; ++i) {
    const Sample s = priced.Call(t.profiles[0]);
    EXPECT_FALSE(unpriced.Call(t.profiles[0]).cost_usd.has_value()) << i;
    if (s.error) {
      ++failed;
      EXPECT_FALSE(s.cost_usd.has_value()) << i;
      continue;
    }
    ++answered;
    ASSERT_TRUE(s.cost_usd.has_value()) << i;
    EXPECT_DOUBLE_EQ(*s.cost_usd, (*s.tokens_in * 0.15 + *s.tokens_out * 0.60) / 1e6) << i;
  }
  EXPECT_GT(answered, 0);
  EXPECT_GT(failed, 0);
}

TEST(SimulatedProvider, FirstCallsAreQuietThenIncidentsCycle) {
  for (int64_t i = 0; i < SimulatedProvider::kQuietCalls; ++i) {
    ASSERT_EQ(SimulatedProvider::IncidentAt(i), SimIncident::kNone);
  }
  for (SimIncident k : {SimIncident::kSpike, SimIncident::kShift, SimIncident::kDrift,
                        SimIncident::kOscillation, SimIncident::kVarianceDrop}) {
    const int64_t first = SimulatedProvider::FirstCallOf(k);
    EXPECT_GE(first, SimulatedProvider::kQuietCalls) << SimIncidentName(k);
    EXPECT_EQ(SimulatedProvider::IncidentAt(first), k) << SimIncidentName(k);
    EXPECT_NE(SimulatedProvider::IncidentAt(first - 1), k) << SimIncidentName(k);
  }
}

TEST(SimulatedProvider, NotStreamedHasNoTtft) {
  Target t = SimTarget(7);
  t.stream = false;
  SimulatedProvider p(t, PriceTable());
  const Sample s = p.Call(t.profiles[0]);
  EXPECT_FALSE(s.ttft_ms.has_value());
  EXPECT_FALSE(s.tpot_ms.has_value());
  EXPECT_TRUE(s.tokens_per_s.has_value());
}

TEST(SimulatedProvider, SleepTakesTheSimulatedTime) {
  Target t = SimTarget(3);
  t.simulated.sleep = true;
  t.simulated.median_e2e_ms = 60;
  t.simulated.sigma_log = 0.01;
  SimulatedProvider p(t, PriceTable());
  const auto start = Clock::now();
  const Sample s = p.Call(t.profiles[0]);
  const double took = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  EXPECT_GE(took, *s.e2e_ms - 1);
  EXPECT_LT(took, *s.e2e_ms + 500);
}

// Each incident fires the rule made to catch it, with the default chart (B = 100, log, R1–R8).
TEST(SimulatedProvider, ControlChartFindsTheIncidents) {
  for (unsigned long long seed : {1ull, 2ull, 3ull}) {
    const std::vector<double> series = E2eSeries(SimTarget(seed), 800);
    spc::ControlChart chart(spc::ChartConfig{});
    std::vector<spc::Firing> firings;
    for (double x : series) ASSERT_TRUE(chart.Observe(x, firings).ok());
    const auto fired_within = [&](spc::Rule rule, SimIncident incident, int64_t length) {
      const int64_t first = SimulatedProvider::FirstCallOf(incident);
      return std::any_of(firings.begin(), firings.end(), [&](const spc::Firing& f) {
        return f.rule == rule && f.phase == spc::Phase::kMonitoring && f.index >= first &&
               f.index < first + length;
      });
    };
    EXPECT_TRUE(fired_within(spc::Rule::kR1, SimIncident::kSpike, 1)) << seed;
    EXPECT_TRUE(fired_within(spc::Rule::kR2, SimIncident::kShift, 30)) << seed;
    EXPECT_TRUE(fired_within(spc::Rule::kR3, SimIncident::kDrift, 30)) << seed;
    EXPECT_TRUE(fired_within(spc::Rule::kR4, SimIncident::kOscillation, 24)) << seed;
    EXPECT_TRUE(fired_within(spc::Rule::kR7, SimIncident::kVarianceDrop, 30)) << seed;
  }
}

// A provider that takes `delay` per call and records overlapping calls.
class SlowProvider : public Provider {
 public:
  SlowProvider(std::string name, milliseconds delay, std::atomic<int>* overlaps)
      : name_(std::move(name)), delay_(delay), overlaps_(overlaps) {}
  Sample Call(const PromptProfile& profile) override {
    if (running_.exchange(true)) overlaps_->fetch_add(1);
    std::this_thread::sleep_for(delay_);
    running_ = false;
    Sample s;
    s.source = SourceKey{"test", name_, "", profile.name};
    s.e2e_ms = static_cast<double>(delay_.count());
    return s;
  }

 private:
  std::string name_;
  milliseconds delay_;
  std::atomic<int>* overlaps_;
  std::atomic<bool> running_{false};
};

// Samples received per model, with their arrival times.
struct Collector {
  std::mutex mu;
  std::map<std::string, std::vector<Clock::time_point>> arrivals;
  std::vector<Sample> samples;
  SampleSink Sink() {
    return [this](std::vector<Sample> batch) {
      std::lock_guard<std::mutex> lock(mu);
      for (Sample& s : batch) {
        arrivals[s.source.model].push_back(Clock::now());
        samples.push_back(std::move(s));
      }
    };
  }
  size_t Count(const std::string& model) {
    std::lock_guard<std::mutex> lock(mu);
    return arrivals[model].size();
  }
};

ScheduledTarget Slow(const std::string& name, double interval_s, milliseconds delay,
                     std::atomic<int>* overlaps, double timeout_s = 5) {
  Target t;
  t.name = name;
  t.provider = "test";
  t.model = name;
  t.interval_s = interval_s;
  t.timeout_s = timeout_s;
  return {t, std::make_unique<SlowProvider>(name, delay, overlaps)};
}

TEST(ProbeScheduler, SimulatedSamplesGetTelemetryAndPromptHash) {
  telemetry::HostTelemetry telemetry;
  Collector got;
  std::vector<ScheduledTarget> targets;
  Target t = SimTarget(5);
  t.interval_s = 0;
  targets.push_back({t, std::make_unique<SimulatedProvider>(t, PriceTable())});
  SchedulerOptions options;
  options.max_calls = 20;
  ProbeScheduler scheduler(std::move(targets), got.Sink(), telemetry, options);
  scheduler.Start();
  ASSERT_TRUE(scheduler.WaitForCalls(milliseconds(10000)));
  EXPECT_TRUE(scheduler.Stop());
  ASSERT_EQ(got.samples.size(), 20u);
  for (const Sample& s : got.samples) {
    EXPECT_EQ(s.prompt_hash, PromptHash(PromptProfile{}.prompt));
    EXPECT_EQ(s.prompt_text, PromptProfile{}.prompt);
    EXPECT_TRUE(s.telemetry.memory_percent.has_value());
  }
  // The same series as the provider called directly: the scheduler adds nothing random.
  const std::vector<double> direct = E2eSeries(t, 20);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(*got.samples[i].e2e_ms, direct[i]);
  EXPECT_EQ(scheduler.stats()[0].calls, 20);
}

// Targets put, replaced and removed while the scheduler runs: a scheduler started empty probes
// what is put, a replaced target ticks on its new interval, a removed one stops, and a call in
// flight when its target goes finishes without its sample reaching the sink.
TEST(ProbeScheduler, TargetsChangeWhileRunning) {
  telemetry::HostTelemetry telemetry;
  telemetry.Read();
  Collector got;
  std::atomic<int> overlaps{0};
  ProbeScheduler scheduler({}, got.Sink(), telemetry);
  scheduler.Start();
  scheduler.Put("a", Slow("a", 0.05, milliseconds(1), &overlaps));
  for (int i = 0; i < 200 && got.Count("a") < 3; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_GE(got.Count("a"), 3u);
  ASSERT_EQ(scheduler.stats().size(), 1u);
  EXPECT_EQ(scheduler.stats()[0].key, "a");

  // Replaced with a 10 s interval: at most the first tick (within 1 s) comes in the next 0.5 s.
  scheduler.Put("a", Slow("a", 10, milliseconds(1), &overlaps));
  std::this_thread::sleep_for(milliseconds(100));
  const size_t after_replace = got.Count("a");
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_LE(got.Count("a"), after_replace + 1);
  EXPECT_EQ(scheduler.stats().size(), 1u);

  // A slow call in flight when its target is removed: its sample is dropped.
  scheduler.Put("slow", Slow("slow", 0.01, milliseconds(300), &overlaps));
  for (int i = 0; i < 200 && !(scheduler.stats().size() == 2 && scheduler.stats()[1].in_flight); ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(scheduler.Remove("slow"));
  EXPECT_FALSE(scheduler.Remove("slow"));
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(got.Count("slow"), 0u);
  EXPECT_TRUE(scheduler.Remove("a"));
  EXPECT_TRUE(scheduler.stats().empty());
  const size_t before = got.Count("a");
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(got.Count("a"), before);
  EXPECT_TRUE(scheduler.Stop());
  EXPECT_EQ(overlaps.load(), 0);
}

TEST(ProbeScheduler, IntervalsAreRespectedAndCallsNeverOverlap) {
  telemetry::HostTelemetry telemetry;
  telemetry.Read();  // the first reading pauses 100 ms; take it before timing anything
  Collector got;
  std::atomic<int> overlaps{0};
  std::vector<ScheduledTarget> targets;
  // 100 ms interval, 250 ms calls: most ticks find the call running and are skipped.
  targets.push_back(Slow("busy", 0.1, milliseconds(250), &overlaps));
  // 100 ms interval, 5 ms calls: one call per tick.
  targets.push_back(Slow("quick", 0.1, milliseconds(5), &overlaps));
  ProbeScheduler scheduler(std::move(targets), got.Sink(), telemetry);
  scheduler.Start();
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_TRUE(scheduler.Stop());
  EXPECT_EQ(overlaps.load(), 0);
  const std::vector<TargetStats> stats = scheduler.stats();
  // quick: 1.5 s / 100 ms ≈ 15 ticks (±10% jitter, the first within 10 ms): never more, and
  // at least half even when this machine stalls the timer (a loaded runner, a sanitizer).
  EXPECT_GE(got.Count("quick"), 7u);
  EXPECT_LE(got.Count("quick"), 17u);
  EXPECT_EQ(stats[1].skipped_ticks, 0);
  // busy: a call every 3rd tick at most (250 ms per call), the other ticks skipped.
  EXPECT_GE(got.Count("busy"), 2u);
  EXPECT_LE(got.Count("busy"), 7u);
  EXPECT_GE(stats[0].skipped_ticks, 3);
}

TEST(ProbeScheduler, SlowTargetDoesNotDelayFastOne) {
  telemetry::HostTelemetry telemetry;
  telemetry.Read();  // the first reading pauses 100 ms; take it before timing anything
  Collector got;
  std::atomic<int> overlaps{0};
  std::vector<ScheduledTarget> targets;
  // A call stuck for 30 s (its timeout says 0.2 s: a provider that ignores it) beside a fast
  // target. The bounds below are far from both 30 s and the expected figures, so a stalled
  // machine does not blur them.
  targets.push_back(Slow("dead", 0.05, milliseconds(30000), &overlaps, 0.2));
  targets.push_back(Slow("fast", 0.1, milliseconds(1), &overlaps));
  ProbeScheduler scheduler(std::move(targets), got.Sink(), telemetry);
  scheduler.Start();
  std::this_thread::sleep_for(milliseconds(1000));
  {
    std::lock_guard<std::mutex> lock(got.mu);
    const std::vector<Clock::time_point>& fast = got.arrivals["fast"];
    EXPECT_GE(fast.size(), 4u);  // about 10; behind the stuck call it would be at most 1
    for (size_t i = 1; i < fast.size(); ++i) {
      EXPECT_LT(fast[i] - fast[i - 1], milliseconds(1000)) << i;
    }
    EXPECT_EQ(got.arrivals["dead"].size(), 0u);
  }
  // Stop is bounded by the stuck call's timeout (0.2 s, long past) plus the grace (1 s), not by
  // the 30 s call.
  const auto start = Clock::now();
  EXPECT_FALSE(scheduler.Stop());
  EXPECT_LT(Clock::now() - start, milliseconds(15000));
  EXPECT_EQ(got.Count("dead"), 0u);  // the stuck call's sample is dropped
  EXPECT_TRUE(scheduler.stats()[0].in_flight);
}

TEST(ProbeScheduler, StopWaitsForCallsInFlight) {
  telemetry::HostTelemetry telemetry;
  Collector got;
  std::atomic<int> overlaps{0};
  std::vector<ScheduledTarget> targets;
  targets.push_back(Slow("slow", 10, milliseconds(300), &overlaps));
  ProbeScheduler scheduler(std::move(targets), got.Sink(), telemetry);
  scheduler.Start();
  // The first tick comes within 10% of the 10 s interval; then the call runs for 300 ms.
  while (!scheduler.stats()[0].in_flight) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_TRUE(scheduler.Stop());
  EXPECT_EQ(got.Count("slow"), 1u);
}

TEST(ProviderFactory, MakesSimulatedAndChecksTargets) {
  Target t;
  t.provider = "simulated";
  t.model = "m";
  ASSERT_TRUE(CompleteTarget(t).ok());
  EXPECT_EQ(t.name, "simulated/m");
  Target bad = t;
  bad.provider = "gemini";
  EXPECT_FALSE(CompleteTarget(bad).ok());
  bad = t;
  bad.interval_s = -1;
  Status s = CompleteTarget(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.rfind("interval_s:", 0), 0u) << s.error().message;
  bad = t;
  bad.provider = "openai-compatible";
  EXPECT_FALSE(CompleteTarget(bad).ok());  // needs base_url
  Target openai = t;
  openai.provider = "openai";
  ASSERT_TRUE(CompleteTarget(openai).ok());
  EXPECT_EQ(openai.base_url, "https://api.openai.com");

  const PriceTable prices = PriceTable::Defaults();
  for (const char* provider : {"simulated", "ollama", "openai", "anthropic"}) {
    Target complete = t;
    complete.provider = provider;
    ASSERT_TRUE(CompleteTarget(complete).ok()) << provider;
    Result<std::unique_ptr<Provider>> made = MakeProvider(complete, prices);
    EXPECT_TRUE(made.ok()) << provider;
  }
  Target unknown = t;
  unknown.provider = "gemini";
  EXPECT_FALSE(MakeProvider(unknown, prices).ok());
}

// No GPU on the machines these tests run on: only the absent path is checked here.
TEST(GpuTelemetry, NullWithoutNvml) {
  const telemetry::GpuReading r = telemetry::GpuTelemetry::Read();
  if (r.gpu_percent || r.gpu_memory_percent || r.gpu_temp_c) {
    GTEST_SKIP() << "an NVIDIA GPU is present";
  }
  telemetry::HostTelemetry host;
  const Telemetry t = host.Read();
  EXPECT_FALSE(t.gpu_percent.has_value());
  EXPECT_FALSE(t.gpu_temp_c.has_value());
}

}  // namespace
}  // namespace llmscope::probe

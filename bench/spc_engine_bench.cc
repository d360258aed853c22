// Points per second through the streaming SPC engine with all 8 Nelson rules + EWMA + CUSUM,
// on one core (the target: at least 50 M points/s over 10 M points).
//
//   cmake --build build --target spc_engine_bench && ./build/bench/spc_engine_bench
//
// The series is generated once, outside the timed loop: log-normal-ish latencies with a shift
// and a drift so that rules do fire and the firing path is part of the cost.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "spc/control_chart.h"
#include "spc/streaming_rules.h"

namespace {

constexpr int64_t kPoints = 10'000'000;

const std::vector<double>& Latencies() {
  static const std::vector<double> x = [] {
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise(0.0, 0.1);
    std::vector<double> v(kPoints);
    for (int64_t i = 0; i < kPoints; ++i) {
      double shift = (i / 50'000) % 7 == 3 ? 0.15 : 0.0;
      v[i] = 2000.0 * std::exp(noise(rng) + shift);
    }
    return v;
  }();
  return x;
}

llmscope::spc::RuleConfig AllRules() {
  llmscope::spc::RuleConfig c;
  c.enabled = 0x03FF;  // R1..R8, EWMA, CUSUM
  return c;
}

// The rule evaluator alone, on chart-scale values (the transform already applied).
void BM_StreamingRules(benchmark::State& state) {
  std::vector<double> y(Latencies().size());
  for (size_t i = 0; i < y.size(); ++i) y[i] = std::log(Latencies()[i]);
  int64_t fired = 0;
  for (auto _ : state) {
    llmscope::spc::StreamingRuleEvaluator rules(AllRules(), std::log(2000.0), 0.1);
    for (double v : y) fired += rules.Push(v) != 0;
    benchmark::DoNotOptimize(fired);
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
  state.counters["firing_points"] = static_cast<double>(fired) / state.iterations();
}
BENCHMARK(BM_StreamingRules)->Unit(benchmark::kMillisecond);

// The same evaluator fed in chunks (PushAll): what a batch ingest or a replay uses.
void BM_StreamingRulesChunked(benchmark::State& state) {
  std::vector<double> y(Latencies().size());
  for (size_t i = 0; i < y.size(); ++i) y[i] = std::log(Latencies()[i]);
  constexpr size_t kChunk = 4096;
  std::vector<llmscope::spc::RuleMask> fired(kChunk);
  int64_t firing_points = 0;
  for (auto _ : state) {
    llmscope::spc::StreamingRuleEvaluator rules(AllRules(), std::log(2000.0), 0.1);
    for (size_t at = 0; at < y.size(); at += kChunk) {
      const size_t n = std::min(kChunk, y.size() - at);
      rules.PushAll(std::span<const double>(y).subspan(at, n), fired);
      for (size_t i = 0; i < n; ++i) firing_points += fired[i] != 0;
    }
    benchmark::DoNotOptimize(firing_points);
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
  state.counters["firing_points"] = static_cast<double>(firing_points) / state.iterations();
}
BENCHMARK(BM_StreamingRulesChunked)->Unit(benchmark::kMillisecond);

// The whole live chart: log transform, validation, rules and Firing records.
void BM_ControlChartLog(benchmark::State& state) {
  const std::vector<double>& x = Latencies();
  llmscope::spc::ChartConfig config;
  config.rules = AllRules();
  std::vector<llmscope::spc::Firing> firings;
  firings.reserve(1 << 20);
  for (auto _ : state) {
    llmscope::spc::ControlChart chart(config);
    firings.clear();
    for (double v : x) benchmark::DoNotOptimize(chart.Observe(v, firings).ok());
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
  state.counters["firings"] = static_cast<double>(firings.size());
}
BENCHMARK(BM_ControlChartLog)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

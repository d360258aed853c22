// The status page's costs (docs/design.md "Status page"): Store::CountSamplesByDay over 90 days
// of 200 sources on a real SQLite file (the one query the server makes at most once a minute),
// and the pure part of each request: BuildStatusReport for 200 sources × 90 days, then its JSON
// and its HTML.
//
//   cmake --build build --target status_bench && ./build/bench/status_bench
//
// The store holds 200 sources × 90 days × 48 samples a day (864,000 samples, one each 30 min):
// the query's cost grows with the samples in the window, so the figure per sample scales it to
// denser series.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "status/status_html.h"
#include "status/status_json.h"
#include "status/status_report.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using llmscope::Metric;
using llmscope::Sample;
using llmscope::SourceKey;
using namespace llmscope::status;
using llmscope::store::kDayMs;

constexpr int kSources = 200;
constexpr int kDays = 90;
constexpr int kSamplesPerDay = 48;
constexpr int64_t kToday = 20500;

SourceKey SourceNumber(int i) {
  return SourceKey{"provider" + std::to_string(i % 10), "model-" + std::to_string(i), "", ""};
}

// A SqliteStore on a fresh file holding the samples above, removed afterwards.
class FilledStore {
 public:
  FilledStore() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "llmscope_status_bench_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    auto store = llmscope::store::SqliteStore::Open(dir_ + "/bench.db");
    if (!store) return;
    store_ = std::move(*store);
    const int64_t first_ms = (kToday - kDays + 1) * kDayMs;
    for (int day = 0; day < kDays; ++day) {
      std::vector<Sample> batch;
      for (int s = 0; s < kSources; ++s) {
        for (int k = 0; k < kSamplesPerDay; ++k) {
          Sample sample;
          sample.time_ms = first_ms + day * kDayMs + k * (kDayMs / kSamplesPerDay);
          sample.source = SourceNumber(s);
          sample.e2e_ms = 1000;
          sample.error = k == 0;
          sample.prompt_hash = "h";
          batch.push_back(std::move(sample));
        }
      }
      if (!store_->AppendSamples(batch).ok()) store_.reset();
      if (!store_) return;
    }
  }
  ~FilledStore() {
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  llmscope::store::Store* get() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<llmscope::store::Store> store_;
};

// The query over the last `state.range(0)` days: 90 (the whole strip, read when the day changes
// and hourly) and 1 (today, read each minute).
void BM_CountSamplesByDay(benchmark::State& state) {
  static FilledStore store;
  if (store.get() == nullptr) {
    state.SkipWithError("cannot fill the store");
    return;
  }
  const int64_t days = state.range(0);
  size_t rows = 0;
  for (auto _ : state) {
    auto counts = store.get()->CountSamplesByDay((kToday - days + 1) * kDayMs, INT64_MAX);
    if (!counts) {
      state.SkipWithError(counts.error().message.c_str());
      return;
    }
    rows = counts->size();
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.SetItemsProcessed(state.iterations() * kSources * days * kSamplesPerDay);
}
BENCHMARK(BM_CountSamplesByDay)->Arg(kDays)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(5);

StatusInputs Inputs() {
  StatusInputs in;
  in.now_ms = kToday * kDayMs + 3'600'000;
  in.days = kDays;
  for (int s = 0; s < kSources; ++s) {
    SourceInput src;
    src.source = SourceNumber(s);
    for (Metric m : llmscope::kAllMetrics) src.metrics.push_back({m, SourceState::kInControl});
    src.last_sample_ms = in.now_ms - 1000;
    src.interval_ms = 2000;
    for (int k = 0; k < 500; ++k) src.recent_e2e_ms.push_back(1000 + k);
    in.sources.push_back(std::move(src));
    for (int d = 0; d < kDays; ++d) {
      in.day_counts.push_back({SourceNumber(s), kToday - d, 43200, 12});
    }
    in.violations.push_back({SourceNumber(s), in.now_ms - 2 * kDayMs,
                             in.now_ms - 2 * kDayMs + 60000, llmscope::alert::Severity::kWarning});
  }
  return in;
}

void BM_BuildStatusReport(benchmark::State& state) {
  const StatusInputs in = Inputs();
  for (auto _ : state) benchmark::DoNotOptimize(BuildStatusReport(in));
}
BENCHMARK(BM_BuildStatusReport)->Unit(benchmark::kMillisecond);

void BM_StatusJson(benchmark::State& state) {
  const StatusReport report = BuildStatusReport(Inputs());
  size_t bytes = 0;
  for (auto _ : state) bytes = StatusReportJson(report).dump().size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_StatusJson)->Unit(benchmark::kMillisecond);

void BM_StatusHtml(benchmark::State& state) {
  const StatusReport report = BuildStatusReport(Inputs());
  size_t bytes = 0;
  for (auto _ : state) bytes = RenderStatusHtml(report).size();
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_StatusHtml)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

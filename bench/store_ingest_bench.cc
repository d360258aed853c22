// AppendSamples throughput of SqliteStore on a real file in a temporary directory (docs/design.md
// "Measured on this machine"): one transaction per sample, and batches of 500 samples in one
// transaction. Each sample is a full one (latencies, Ollama durations and counts, telemetry,
// prompt hash), written with both samples indexes.
//
//   cmake --build build --target store_ingest_bench && ./build/bench/store_ingest_bench
//
// Iteration counts are fixed (20 000 single-sample transactions, 200 batches of 500) so that the
// file stays small and a run takes seconds; items_per_second is samples per wall-clock second.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/sample.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using llmscope::Sample;
using llmscope::store::SqliteStore;

Sample MakeSample(int64_t i) {
  Sample s;
  s.time_ms = 1'700'000'000'000 + 2000 * i;
  s.source = {"ollama", "llama3:8b", "", ""};
  s.e2e_ms = 1800.0 + static_cast<double>(i % 97);
  s.ttft_ms = 210.5 + static_cast<double>(i % 13);
  s.tpot_ms = 21.25;
  s.tokens_per_s = 47.06;
  s.total_duration_ms = 1790.0;
  s.load_duration_ms = 12.5;
  s.prompt_eval_duration_ms = 180.0;
  s.eval_duration_ms = 1590.0;
  s.prompt_eval_count = 26;
  s.eval_count = 75;
  s.tokens_in = 26;
  s.tokens_out = 75;
  s.telemetry.cpu_percent = 35.5;
  s.telemetry.memory_percent = 61.0;
  s.telemetry.gpu_percent = 88.0;
  s.telemetry.gpu_memory_percent = 70.2;
  s.telemetry.gpu_temp_c = 66.0;
  s.prompt_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  return s;
}

// A SqliteStore on a fresh file in a new temporary directory, removed afterwards.
class TempStore {
 public:
  TempStore() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "llmscope_bench_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    auto store = SqliteStore::Open(dir_ + "/bench.db");
    if (store.ok()) store_ = std::move(*store);
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  SqliteStore* store() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
};

void BM_AppendOneSamplePerTransaction(benchmark::State& state) {
  TempStore temp;
  if (temp.store() == nullptr) {
    state.SkipWithError("cannot open a store in a temporary directory");
    return;
  }
  std::vector<Sample> one(1);
  int64_t i = 0;
  for (auto _ : state) {
    one[0] = MakeSample(i++);
    if (!temp.store()->AppendSamples(one).ok()) {
      state.SkipWithError("AppendSamples failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendOneSamplePerTransaction)->Iterations(20'000)->UseRealTime();

void BM_AppendBatchesOf500(benchmark::State& state) {
  constexpr int64_t kBatch = 500;
  TempStore temp;
  if (temp.store() == nullptr) {
    state.SkipWithError("cannot open a store in a temporary directory");
    return;
  }
  std::vector<Sample> batch(kBatch);
  int64_t i = 0;
  for (auto _ : state) {
    for (Sample& s : batch) s = MakeSample(i++);
    if (!temp.store()->AppendSamples(batch).ok()) {
      state.SkipWithError("AppendSamples failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_AppendBatchesOf500)->Iterations(200)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

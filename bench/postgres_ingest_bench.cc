// AppendSamples throughput of PostgresStore on a real PostgreSQL 15 server that the program
// starts itself (tests/support/postgres_server.h: initdb + pg_ctl in a temporary directory,
// loopback TCP), with the server's default durability (fsync on, synchronous_commit on):
// one transaction per sample, and batches of 500 samples in one transaction (the batch is sent
// pipelined: one round trip). Each sample is a full one, written with both samples indexes, and
// each append holds the advisory lock that orders ids for several servers.
//
//   cmake --build build --target postgres_ingest_bench && ./build/bench/postgres_ingest_bench
//
// Counts are fixed (2 000 single-sample appends, 100 batches of 500); prints samples per
// wall-clock second for each.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/sample.h"
#include "store/postgres/postgres_store.h"
#include "support/postgres_server.h"

namespace {

using llmscope::Sample;
using llmscope::store::PostgresStore;

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

// Appends `batches` batches of `batch_size` samples; returns samples per second, or -1.
double Measure(PostgresStore& store, int batches, int batch_size, int64_t& next) {
  const auto start = std::chrono::steady_clock::now();
  for (int b = 0; b < batches; ++b) {
    std::vector<Sample> batch;
    batch.reserve(static_cast<size_t>(batch_size));
    for (int i = 0; i < batch_size; ++i) batch.push_back(MakeSample(next++));
    if (auto s = store.AppendSamples(batch); !s) {
      std::fprintf(stderr, "append failed: %s\n", s.error().message.c_str());
      return -1;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(batches) * batch_size / seconds;
}

}  // namespace

int main() {
  std::string error;
  std::unique_ptr<llmscope::testing::PostgresServer> server =
      llmscope::testing::PostgresServer::Start({}, &error);
  if (!server) {
    std::fprintf(stderr, "cannot start PostgreSQL: %s\n", error.c_str());
    return 1;
  }
  if (!server->CreateDatabase("bench", &error)) {
    std::fprintf(stderr, "CREATE DATABASE: %s\n", error.c_str());
    return 1;
  }
  auto store = PostgresStore::Open(server->Url("bench"));
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    return 1;
  }
  int64_t next = 0;
  Measure(**store, 200, 1, next);  // warm-up: connection, prepared statement, caches
  const double single = Measure(**store, 2000, 1, next);
  const double batched = Measure(**store, 100, 500, next);
  std::printf("PostgresStore AppendSamples (PostgreSQL 15, loopback TCP, fsync on):\n");
  std::printf("  1 sample per transaction:    %8.0f samples/s\n", single);
  std::printf("  500 samples per transaction: %8.0f samples/s\n", batched);
  return single > 0 && batched > 0 ? 0 : 1;
}

// ParseIngestBody (server/ingest_payload.h) alone, on one core: the body of one POST /api/stats
// in, validated Samples out. Three bodies:
//   - BM_OriginalSample: one sample in the original LLMscope monitor's payload (latency_ms,
//     Ollama's durations and counts, telemetry, prompt_hash, prompt_text);
//   - BM_BatchOfOriginal: {"samples": [...]} of 500 such samples (what server_ingest_load posts);
//   - BM_BatchOfOwnFields: 500 samples with LLMscope's own fields (site, profile, e2e/ttft/tpot,
//     tokens_per_s, tokens in/out, cost, a timestamp, an ingest_key), as a remote probe sends.
// items_per_second is samples per second; bytes_per_second counts the body.
//
//   cmake --build build -j2 --target ingest_payload_bench && ./build/bench/ingest_payload_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "server/ingest_payload.h"

namespace {

constexpr int64_t kNow = 1795446245000;  // 2026-11-23T15:04:05Z
constexpr int kBatch = 500;

std::string OriginalSample(int i) {
  const double latency = 2000.0 + (i % 97) * 1.37;
  char buf[640];
  std::snprintf(buf, sizeof buf,
                R"({"provider":"ollama","model":"llama3","latency_ms":%.3f,)"
                R"("timestamp":"2026-11-23T15:00:00.250000","success":true,)"
                R"("total_duration_ms":%.3f,"load_duration_ms":50.2,)"
                R"("prompt_eval_duration_ms":100.3,"eval_duration_ms":%.3f,)"
                R"("prompt_eval_count":26,"eval_count":42,"tokens_per_second":22.41,)"
                R"("prompt_efficiency":259.22,"cpu_percent":35.2,"memory_percent":45.6,)"
                R"("gpu_percent":78.5,"gpu_memory_percent":62.3,"prompt_hash":"a1b2c3d4",)"
                R"("prompt_text":"sample %d"})",
                latency, latency - 5, latency - 160, i);
  return buf;
}

std::string OwnFieldsSample(int i) {
  const double ttft = 300.0 + (i % 89) * 0.71;
  const double tpot = 25.0 + (i % 31) * 0.05;
  char buf[640];
  std::snprintf(buf, sizeof buf,
                R"({"provider":"openai","model":"gpt-4o-mini","site":"eu-west","profile":"short",)"
                R"("timestamp":"2026-11-23T15:%02d:%02d.%03dZ","e2e_ms":%.3f,"ttft_ms":%.3f,)"
                R"("tpot_ms":%.3f,"tokens_per_s":%.3f,"tokens_in":12,"tokens_out":21,)"
                R"("cost_usd":0.000123,"error":false,"ingest_key":"probe-eu-west-%08d"})",
                (i / 60) % 60, i % 60, i % 1000, ttft + 20 * tpot, ttft, tpot, 1000 / tpot, i);
  return buf;
}

std::string Batch(std::string (*sample)(int)) {
  std::string body = R"({"samples":[)";
  for (int i = 0; i < kBatch; ++i) body += (i ? "," : "") + sample(i);
  return body + "]}";
}

void Run(benchmark::State& state, const std::string& body, int samples) {
  llmscope::server::IngestLimits limits;
  limits.store_prompt_text = true;
  for (auto _ : state) {
    auto parsed = llmscope::server::ParseIngestBody(body, kNow, limits);
    if (!parsed.ok() || static_cast<int>(parsed->samples.size()) != samples) {
      state.SkipWithError("the body was refused");
      return;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations() * samples);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_OriginalSample(benchmark::State& state) {
  Run(state, OriginalSample(7), 1);
}
void BM_BatchOfOriginal(benchmark::State& state) {
  Run(state, Batch(OriginalSample), kBatch);
}
void BM_BatchOfOwnFields(benchmark::State& state) {
  Run(state, Batch(OwnFieldsSample), kBatch);
}

BENCHMARK(BM_OriginalSample);
BENCHMARK(BM_BatchOfOriginal);
BENCHMARK(BM_BatchOfOwnFields);

}  // namespace

BENCHMARK_MAIN();

// Parsing and validation of POST /api/stats bodies into Samples. Pure: no I/O; the clock's
// reading is passed in.
//
// A body is one sample object, or {"samples": [ ... ]} (a batch, all or nothing). A sample takes
// the original LLMscope monitor's payload unchanged — provider, model, latency_ms, timestamp,
// Ollama's total/load/prompt_eval/eval durations (ms) and prompt_eval_count/eval_count,
// cpu/memory/gpu/gpu_memory percents, prompt_hash, prompt_text — plus LLMscope's own fields:
// site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, tokens_in, tokens_out,
// error, error_kind, error_message, gpu_temp_c. `latency_ms` is stored as e2e_ms (SPC.md §1).
// A null value means "not measured". Any other key is rejected, so a typo never silently drops
// a metric.
//
// `ingest_key` (optional: 1 to 128 printable ASCII characters) is the sender's idempotency key
// (Sample::ingest_key): the server stores one sample per key, so a sender that resends a sample
// whose acknowledgement it lost (a remote probe) gets it stored once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/sample.h"

namespace llmscope::server {

inline constexpr size_t kMaxIngestKeyBytes = 128;

struct IngestLimits {
  int64_t max_batch = 10000;                       // samples per request
  size_t max_name = 200;                           // provider, model, site, profile
  size_t max_text = size_t{64} * 1024;             // prompt_text, error_message
  int64_t max_future_ms = int64_t{5} * 60 * 1000;  // timestamps later than now + this are refused
  bool store_prompt_text = true;
};

// Errors carry code "invalid_json", "invalid_field" (the message starts with the field's path,
// e.g. "samples[3].latency_ms: ..."), "unknown_field", "missing_field" or "batch_too_large".
Result<std::vector<Sample>> ParseIngestBody(std::string_view body, int64_t now_ms,
                                            const IngestLimits& limits = {});

}  // namespace llmscope::server

// Parsing and validation of POST /api/stats bodies into Samples. Pure: no I/O; the clock's
// reading is passed in.
//
// A body is one sample object, or {"samples": [ ... ]} (a batch, all or nothing). A sample takes
// the original LLMscope monitor's payload unchanged — provider, model, latency_ms, timestamp,
// success, error_message, Ollama's total/load/prompt_eval/eval durations (ms) and
// prompt_eval_count/eval_count, tokens_per_second, prompt_efficiency, cpu/memory/gpu/gpu_memory
// percents, prompt_hash, prompt_text — plus LLMscope's own fields: site, profile, e2e_ms,
// ttft_ms, tpot_ms, tokens_per_s, cost_usd, tokens_in, tokens_out, error, error_kind,
// gpu_temp_c. `latency_ms` is stored as e2e_ms (docs/spc.md §1) and `tokens_per_second` as
// tokens_per_s; `success: false` is `error: true`. `prompt_efficiency` (prompt tokens per second)
// is checked but not stored: prompt_eval_count and prompt_eval_duration_ms give it. A null value
// means "not measured".
//
// A key that is no sample field is ignored, as the original LLMscope ignored it, so a client
// that sends more than LLMscope reads still works; the body's IngestBody::ignored_fields names
// each, for the reply, so a misspelt field does not go unnoticed. A sample must measure
// something (one of e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd) unless it is a failed
// call, and each value must lie within IngestLimits' bounds.
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
  // Sane bounds ([ingest] in the config): a value beyond one is a unit mix-up or a broken
  // client, and would wreck any baseline it landed in.
  double max_latency_ms = 86'400'000;       // e2e (latency), ttft, tpot, Ollama's durations: a day
  double max_tokens_per_s = 1e7;            // tokens_per_s, prompt_efficiency
  double max_cost_usd = 1e4;                // per call
  int64_t max_token_count = 1'000'000'000;  // prompt_eval/eval counts, tokens_in/out
  bool store_prompt_text = false;           // false: prompt_text is dropped, prompt_hash kept
};

// A body's samples, and the keys they carried that are no sample field (sorted, each once).
struct IngestBody {
  std::vector<Sample> samples;
  std::vector<std::string> ignored_fields;
};

// Errors carry code "invalid_json", "invalid_field" (the message starts with the field's path,
// e.g. "samples[3].latency_ms: ..."; a value beyond a bound names the bound and its [ingest]
// key), "unknown_field" (a key beside "samples" in a batch), "missing_field" (provider, model,
// or every measurement of a call that did not fail) or "batch_too_large".
Result<IngestBody> ParseIngestBody(std::string_view body, int64_t now_ms,
                                   const IngestLimits& limits = {});

// The same checks for a sample built elsewhere (OTLP ingest, otlp_routes.h): names, texts and
// the ingest key within their lengths, every value finite, >= 0 and within IngestLimits' bounds,
// a time at most max_future_ms after now, and a measurement unless the call failed. Errors:
// "invalid_field" or "missing_field", the message naming the field (and the bound).
Status ValidateSample(const Sample& sample, int64_t now_ms, const IngestLimits& limits = {});

}  // namespace llmscope::server

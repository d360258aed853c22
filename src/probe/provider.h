// Provider: one LLM API, called once per probe tick. Implementations: Ollama, OpenAI,
// Anthropic, OpenAI-compatible (one class with OpenAI), simulated.
//
// Contract: Call() never throws and never crashes, whatever the server sends. A failed call is
// a Sample too: error = true, error_kind one of refused, timeout, http_429, http_4xx, http_5xx,
// malformed, truncated, and error_message saying what happened (never a key). Times come from a
// monotonic clock: e2e_ms (request sent → last byte), ttft_ms (→ first content token of a
// streamed reply; unset when not streamed), tpot_ms = (e2e − ttft)/(tokens_out − 1),
// tokens_per_s = tokens_out / (e2e − ttft) (Ollama: its own eval rate), tokens_in/tokens_out
// from the provider's usage fields, Ollama's durations and counts when present, cost_usd from
// the price table. The sample's source is (provider, model, target.site, profile.name); time_ms
// is the wall-clock start of the call. Telemetry is left for the caller to attach.
// One Provider serves one target; calls of one target never overlap (the scheduler ensures
// it), so implementations need not be thread-safe.
#pragma once

#include <memory>

#include "core/result.h"
#include "core/sample.h"
#include "probe/target.h"

namespace llmscope::probe {

class Provider {
 public:
  virtual ~Provider() = default;
  virtual Sample Call(const PromptProfile& profile) = 0;
};

}  // namespace llmscope::probe

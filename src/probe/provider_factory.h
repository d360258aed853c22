// Targets → providers: the provider names of docs/design.md's [[targets]], their defaults and
// checks, and the Provider class that serves each.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "probe/price_table.h"
#include "probe/provider.h"
#include "probe/target.h"

namespace llmscope::probe {

// True for ollama, openai, anthropic, openai-compatible and simulated.
bool KnownProvider(std::string_view name);

// Fills a target's defaults (name "provider/model", or "provider/model@site" with a site, so that
// one model probed from two sites makes two targets; the public base URL of openai and
// anthropic, Ollama's local one) and checks every field. Errors: "invalid_target", the message starting
// with the key at fault ("interval_s: must be > 0").
Status CompleteTarget(Target& target);

// The provider for `target` (complete: see CompleteTarget): "simulated" → SimulatedProvider,
// "ollama" → OllamaProvider, "openai" and "openai-compatible" → OpenAiProvider, "anthropic" →
// AnthropicProvider. The HTTP providers keep a copy of `prices`. Errors:
// "invalid_target" (unknown provider).
Result<std::unique_ptr<Provider>> MakeProvider(const Target& target, const PriceTable& prices);

}  // namespace llmscope::probe

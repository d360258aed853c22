#include "probe/provider_factory.h"

#include <array>
#include <cmath>
#include <string>

#include "probe/price_table.h"
#include "probe/providers/anthropic_provider.h"
#include "probe/providers/ollama_provider.h"
#include "probe/providers/openai_provider.h"
#include "probe/simulated_provider.h"

namespace llmscope::probe {
namespace {

constexpr std::array<std::string_view, 5> kProviders = {"ollama", "openai", "anthropic",
                                                        "openai-compatible", "simulated"};

Error Bad(const std::string& key, const std::string& what) {
  return Error{"invalid_target", key + ": " + what};
}

bool Positive(double v) { return std::isfinite(v) && v > 0; }

}  // namespace

bool KnownProvider(std::string_view name) {
  for (std::string_view p : kProviders) {
    if (p == name) return true;
  }
  return false;
}

Status CompleteTarget(Target& t) {
  if (t.provider.empty()) return Bad("provider", "is required");
  if (!KnownProvider(t.provider)) {
    return Bad("provider", "'" + t.provider +
                               "' is not one of ollama, openai, anthropic, openai-compatible, "
                               "simulated");
  }
  if (t.model.empty()) return Bad("model", "is required");
  if (t.base_url.empty()) {
    if (t.provider == "ollama") t.base_url = "http://127.0.0.1:11434";
    if (t.provider == "openai") t.base_url = "https://api.openai.com";
    if (t.provider == "anthropic") t.base_url = "https://api.anthropic.com";
    if (t.provider == "openai-compatible") return Bad("base_url", "is required");
  }
  if (t.provider != "simulated" && t.base_url.rfind("http://", 0) != 0 &&
      t.base_url.rfind("https://", 0) != 0) {
    return Bad("base_url", "'" + t.base_url + "' must start with http:// or https://");
  }
  if (t.ollama_api != "generate" && t.ollama_api != "chat") {
    return Bad("ollama_api", "'" + t.ollama_api + "' is not generate or chat");
  }
  if (!std::isfinite(t.interval_s) || t.interval_s < 0) return Bad("interval_s", "must be ≥ 0");
  if (!Positive(t.timeout_s)) return Bad("timeout_s", "must be > 0");
  if (!Positive(t.connect_timeout_s)) return Bad("connect_timeout_s", "must be > 0");
  if (!Positive(t.first_byte_timeout_s)) return Bad("first_byte_timeout_s", "must be > 0");
  if (t.profiles.empty()) return Bad("profiles", "must hold at least one profile");
  for (size_t i = 0; i < t.profiles.size(); ++i) {
    const std::string key = "profiles[" + std::to_string(i) + "]";
    if (t.profiles[i].name.empty()) return Bad(key + ".name", "is required");
    if (t.profiles[i].prompt.empty()) return Bad(key + ".prompt", "is required");
    if (t.profiles[i].max_tokens < 1) return Bad(key + ".max_tokens", "must be ≥ 1");
  }
  const SimulatedParams& s = t.simulated;
  if (!Positive(s.median_e2e_ms)) return Bad("median_e2e_ms", "must be > 0");
  if (!std::isfinite(s.sigma_log) || s.sigma_log < 0 || s.sigma_log > 2) {
    return Bad("sigma_log", "must be within 0..2");
  }
  if (!(s.ttft_share > 0 && s.ttft_share < 1)) return Bad("ttft_share", "must be within (0, 1)");
  if (s.tokens_out < 1) return Bad("tokens_out", "must be ≥ 1");
  if (!(s.error_rate >= 0 && s.error_rate <= 1)) return Bad("error_rate", "must be within 0..1");
  if (t.name.empty()) t.name = t.provider + "/" + t.model + (t.site.empty() ? "" : "@" + t.site);
  return {};
}

Result<std::unique_ptr<Provider>> MakeProvider(const Target& target, const PriceTable& prices) {
  std::unique_ptr<Provider> p;
  if (target.provider == "simulated") p = std::make_unique<SimulatedProvider>(target, prices);
  if (target.provider == "ollama") p = std::make_unique<OllamaProvider>(target, prices);
  if (target.provider == "openai" || target.provider == "openai-compatible") {
    p = std::make_unique<OpenAiProvider>(target, prices);
  }
  if (target.provider == "anthropic") p = std::make_unique<AnthropicProvider>(target, prices);
  if (!p) return Error{"invalid_target", "unknown provider '" + target.provider + "'"};
  return p;
}

}  // namespace llmscope::probe

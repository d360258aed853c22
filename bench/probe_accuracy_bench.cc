// Measurement error of the real providers against the fake provider server's known delays on
// 127.0.0.1: for each provider and mode, N calls (default 100, at most 1000), then p50, p99 and
// max of |measured − injected| for e2e and TTFT, in ms. Usage: probe_accuracy_bench [N]
// Two references: "scheduled" is the injected delay (TTFT = first-token delay, e2e = first-token
// delay + (tokens − 1) × per-token delay, from the moment the fake got the request), so its error
// includes the fake's own wake-up lateness; "as sent" is when the fake actually wrote the first
// token and the last bytes (its steady clock, same process), which leaves the probe's own error:
// request transit, loopback delivery, the client's wake-up and parsing.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_provider_server.h"
#include "probe/price_table.h"
#include "probe/providers/anthropic_provider.h"
#include "probe/providers/ollama_provider.h"
#include "probe/providers/openai_provider.h"

namespace {

using namespace llmscope;
using namespace llmscope::probe;

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

// |measured − reference| of one metric, against the scheduled and the as-sent references.
struct Errors {
  std::vector<double> scheduled, sent;
  void Add(double measured, double scheduled_ms, double sent_ms) {
    scheduled.push_back(std::abs(measured - scheduled_ms));
    sent.push_back(std::abs(measured - sent_ms));
  }
  void Append(const Errors& o) {
    scheduled.insert(scheduled.end(), o.scheduled.begin(), o.scheduled.end());
    sent.insert(sent.end(), o.sent.begin(), o.sent.end());
  }
};

void Print(const char* label, const char* metric, const Errors& e) {
  if (e.scheduled.empty()) return;
  std::printf(
      "%-25s %-4s n=%4zu | vs scheduled p50 %6.3f p99 %6.3f max %7.3f | vs as sent "
      "p50 %6.3f p99 %6.3f max %7.3f ms\n",
      label, metric, e.scheduled.size(), Quantile(e.scheduled, 0.5), Quantile(e.scheduled, 0.99),
      *std::max_element(e.scheduled.begin(), e.scheduled.end()), Quantile(e.sent, 0.5),
      Quantile(e.sent, 0.99), *std::max_element(e.sent.begin(), e.sent.end()));
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = std::clamp(argc > 1 ? std::atoi(argv[1]) : 100, 1, 1000);
  testing::FakeProviderServer server;
  if (!server.Start()) {
    std::fprintf(stderr, "cannot start the fake provider server\n");
    return 1;
  }
  testing::Script script;
  script.first_token_delay = std::chrono::milliseconds(20);
  script.per_token_delay = std::chrono::milliseconds(5);
  script.tokens = 4;
  server.SetScript(script);
  const double injected_ttft = 20, injected_e2e = 20 + 3 * 5;

  struct Mode {
    const char* label;
    const char* provider;
    const char* ollama_api;
    bool stream;
  };
  const Mode modes[] = {
      {"ollama generate streamed", "ollama", "generate", true},
      {"ollama chat", "ollama", "chat", false},
      {"openai streamed", "openai-compatible", "generate", true},
      {"openai", "openai-compatible", "generate", false},
      {"anthropic streamed", "anthropic", "generate", true},
      {"anthropic", "anthropic", "generate", false},
  };
  Errors all_e2e, all_ttft;
  int failures = 0;
  for (const Mode& m : modes) {
    Target t;
    t.provider = m.provider;
    t.model = "bench-model";
    t.base_url = server.base_url();
    t.ollama_api = m.ollama_api;
    t.stream = m.stream;
    const PriceTable prices;
    std::unique_ptr<Provider> provider;
    if (t.provider == "ollama") {
      provider = std::make_unique<OllamaProvider>(t, prices);
    } else if (t.provider == "anthropic") {
      provider = std::make_unique<AnthropicProvider>(t, prices);
    } else {
      provider = std::make_unique<OpenAiProvider>(t, prices);
    }
    Errors e2e, ttft;
    for (int i = 0; i < calls; ++i) {
      const Sample s = provider->Call(PromptProfile{});
      const testing::RecordedRequest sent = server.last_request();
      if (s.error || !s.e2e_ms || sent.last_byte_sent_ms < 0) {
        ++failures;
        continue;
      }
      e2e.Add(*s.e2e_ms, injected_e2e, sent.last_byte_sent_ms);
      if (s.ttft_ms) ttft.Add(*s.ttft_ms, injected_ttft, sent.first_token_sent_ms);
    }
    Print(m.label, "e2e", e2e);
    Print(m.label, "ttft", ttft);
    all_e2e.Append(e2e);
    all_ttft.Append(ttft);
  }
  Print("all", "e2e", all_e2e);
  Print("all (streamed)", "ttft", all_ttft);
  std::printf("failed calls: %d\n", failures);
  return failures == 0 ? 0 : 1;
}

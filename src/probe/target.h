// A probe target (docs/design.md config [[targets]]): which provider and model to call,
// how, how often, and with which prompts.
#pragma once

#include <string>
#include <vector>

namespace llmscope::probe {

// A prompt profile: the same prompt every call, so latency compares like with like. The
// profile's name becomes the series' `profile`.
struct PromptProfile {
  std::string name = "short";
  std::string prompt = "Reply with one short sentence: what is statistical process control?";
  int max_tokens = 64;
};

// Parameters of the simulated provider (log-normal latencies and token streams, with incidents
// of each kind docs/spc.md's rules detect); seeded and reproducible.
struct SimulatedParams {
  unsigned long long seed = 1;
  double median_e2e_ms = 1200;  // e^μ of the log-normal end-to-end latency
  double sigma_log = 0.08;      // σ of ln(latency)
  double ttft_share = 0.2;      // TTFT as a share of e2e
  int tokens_out = 48;
  double error_rate = 0.0;
  bool incidents = true;  // spike, shift, drift, oscillation and variance change in turn
  bool sleep = true;      // take the simulated time for real (false in tests)
};

struct Target {
  std::string name;      // for logs and its id; default "provider/model" (+ "@site")
  std::string provider;  // ollama | openai | anthropic | openai-compatible | simulated
  std::string base_url;  // e.g. http://127.0.0.1:11434, https://api.openai.com
  std::string model;
  std::string key_env;                  // name of the environment variable holding the key; "" none
  std::string api_key;  // the key itself (a stored target's secret); wins over key_env; never logged
  std::string ollama_api = "generate";  // Ollama only: generate | chat
  bool stream = true;
  double interval_s = 2;
  double connect_timeout_s = 5;
  double first_byte_timeout_s = 30;  // request sent → first byte of the response
  double timeout_s = 120;            // whole call
  std::vector<PromptProfile> profiles = {PromptProfile{}};
  std::string site;  // the probe's site, "" for the local server
  SimulatedParams simulated;
};

}  // namespace llmscope::probe

// `llmscope probe`: measures targets without a server (docs/design.md "Shape").
//
//   llmscope probe --target provider=openai,base_url=URL,model=M[,stream=true][,key_env=VAR]
//                  [,interval=S][,timeout=S][,site=X][,profile=NAME] ... [--config FILE]
//                  [--count N] [--interval S] [--stdout] [--push URL --key KEY [--spool-dir DIR]]
//
// Runs the probe scheduler over the targets (from --target specs and the config's [[targets]]).
// --stdout prints each sample as one JSON line (server::SampleJson: the sample's fields, times
// in ms) and, at the end, one {"summary": …} line per series (count, errors, p50/p95 of e2e and
// TTFT), with a readable copy on stderr. --push sends the samples to a server through a durable
// local spool (probe::RemotePush). --count N stops after N calls per target; without it the
// probe runs until SIGTERM or SIGINT.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/result.h"
#include "probe/target.h"

namespace llmscope::app {

struct ProbeOptions {
  std::vector<std::string> targets;  // --target specs
  std::string config_file;
  int64_t count = 0;       // calls per target; 0: until a signal
  double interval_s = -1;  // < 0: each target's own (a spec's interval=, else 2 s)
  bool to_stdout = false;
  std::string push_url, key, spool_dir = "./llmscope-spool";
};

CLI::App* AddProbeCommand(CLI::App& app, ProbeOptions& options);

// Parses one --target spec, "key=value,key=value": provider, model, base_url, stream, key_env,
// interval, timeout, site, profile (short | paragraph | long), name, ollama_api, and for the
// simulated provider seed, median_e2e_ms, sigma_log, error_rate, incidents, sleep. The target is
// complete (probe::CompleteTarget). Errors: "invalid_target", naming the key.
Result<probe::Target> ParseTargetSpec(const std::string& spec);

// Runs the command; `out` gets the JSON lines, `err` the log. Returns an exit code from
// exit_codes.h: kExitUsage for a bad spec or flag combination, kExitRuntime when a target or
// the push cannot start.
int RunProbe(const ProbeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace llmscope::app

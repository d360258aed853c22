// `llmscope serve`: the server (docs/design.md "Shape"): HTTP API, storage, SPC engine and the
// built-in probe scheduler for the config's [[targets]], whose samples take the single ingest
// path (SeriesMonitor::Ingest). With no target configured it probes one simulated target
// (simulated/sim-llm every 2 s, in real time) so a new user sees live charts at once, unless
// --no-simulated; --no-probe runs no probe at all. That target on an empty store first fills the
// past day with its samples (the demo day, app/demo_backfill.h) unless --demo=false. Logs one line
// per start (address, store, where the key is) and one saying what it probes, and stops cleanly on
// SIGTERM/SIGINT: the probe stops first (calls in flight finish, bounded by their timeouts), then
// in-flight requests finish and the store closes.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace llmscope::app {

struct ServeOptions {
  std::string config_file;
  std::string listen, data_dir, store_url;  // flags; empty: from config
  bool public_reads = false;
  bool no_probe = false;      // run no probe, not even the simulated one
  bool no_simulated = false;  // no simulated target when no [[targets]] are configured
  std::optional<bool> demo;   // --demo=false: no demo day (app/demo_backfill.h); unset: config
};

CLI::App* AddServeCommand(CLI::App& app, ServeOptions& options);

// Runs until SIGTERM or SIGINT. Returns an exit code from exit_codes.h.
int RunServe(const ServeOptions& options);

}  // namespace llmscope::app

// `llmscope serve`: the server (DESIGN.md "Shape"): HTTP API, storage, SPC engine. Logs one
// line per start (address, store, where the key is) and stops cleanly on SIGTERM/SIGINT:
// in-flight requests finish and the store closes.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace llmscope::app {

struct ServeOptions {
  std::string config_file;
  std::string listen, data_dir, store_url;  // flags; empty: from config
  bool public_reads = false;
};

CLI::App* AddServeCommand(CLI::App& app, ServeOptions& options);

// Runs until SIGTERM or SIGINT. Returns an exit code from exit_codes.h.
int RunServe(const ServeOptions& options);

}  // namespace llmscope::app

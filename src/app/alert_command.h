// `llmscope alert test SINK [--config F] [--timeout S]`: sends a test alert straight to the named
// sink of the config's [alerts] (not through the outbox, so no server or store is needed),
// retrying failures that may pass (backoff, Retry-After) until the timeout, and says whether
// the receiver accepted it. Exit 0 when it did; kExitUsage for an unknown sink; kExitRuntime
// for a config error or when it did not arrive.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>

namespace llmscope::app {

struct AlertTestOptions {
  std::string config_file;
  std::string sink;
  double timeout_s = 30;
};

// Adds `alert` with its `test` subcommand; returns the `test` subcommand.
CLI::App* AddAlertCommand(CLI::App& app, AlertTestOptions& options);

int RunAlertTest(const AlertTestOptions& options, std::ostream& out, std::ostream& err);

}  // namespace llmscope::app

// `llmscope analyze FILE`: offline SPC on a CSV or JSON file of values (docs/design.md).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

namespace llmscope::app {

struct AnalyzeOptions {
  std::string file;
  std::string column, field;
  std::string transform = "log";
  int baseline = 100;
  std::string sigma = "mr_mean";
  std::string rules = "R1,R2,R3,R4,R5,R6,R7,R8";
  std::optional<double> usl, lsl;
  std::string format = "table";
  bool fail_on_violation = false;
};

// Registers the subcommand and its options on `app`; `options` receives the parsed values.
CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeOptions& options);

// Runs the analysis: the report on `out`, or one line on `err` and a non-zero exit code from
// exit_codes.h. Nothing is written to `out` unless the whole analysis succeeded.
int RunAnalyze(const AnalyzeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace llmscope::app

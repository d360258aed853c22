// Runs a program to completion for tests: its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace llmscope::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when it did not exit normally (killed by a signal)
  std::string out, err;
};

// Runs argv[0] (a path) with argv, no shell, stdin from /dev/null. Blocks until it exits.
CommandResult RunCommand(const std::vector<std::string>& argv);

}  // namespace llmscope::testing

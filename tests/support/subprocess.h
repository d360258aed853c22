// Runs a program to completion for tests: its exit code, stdout and stderr.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace llmscope::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when it did not exit normally (killed by a signal)
  std::string out, err;
};

// Runs argv[0] (a path) with argv, no shell, stdin from /dev/null. Blocks until it exits.
CommandResult RunCommand(const std::vector<std::string>& argv);

// Starts argv[0] (a path) with argv and `env` ("NAME=value" each) in the background, no shell,
// stdin from /dev/null, stdout and stderr to the files given (created or truncated), with an
// empty signal mask and SIGPIPE, SIGTERM and SIGINT at their defaults. Returns the child's pid
// (the caller reaps it), or -1 with `error` set.
pid_t SpawnWithOutputFiles(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& out_path,
                           const std::string& err_path, std::string* error);

}  // namespace llmscope::testing

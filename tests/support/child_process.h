// ChildProcess: a long-running external program (a Prometheus server, ...) started by a test,
// with its stdout and stderr captured to files in a directory the test owns. The destructor
// stops it (SIGTERM, then SIGKILL after a bounded wait).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace llmscope::testing {

class ChildProcess {
 public:
  // `argv[0]` is a path; the logs go to `log_dir`/`name`.{stdout,stderr}.log.
  ChildProcess(std::vector<std::string> argv, std::string log_dir, std::string name);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts it with the test's environment and stdin from /dev/null. False (with `error`) when
  // it cannot be started.
  bool Start(std::string* error);
  // Whether it is still running (reaps it when it has exited).
  bool Running();
  // SIGTERM, then SIGKILL after `timeout`. Returns the exit code, or -1 when a signal ended it.
  int Stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  // What it has written so far.
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  std::vector<std::string> argv_;
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int status_ = 0;
};

}  // namespace llmscope::testing

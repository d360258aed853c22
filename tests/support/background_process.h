// BackgroundProcess: a helper program a test runs beside itself (an SMTP server, Alertmanager),
// started with posix_spawn, its stdout and stderr in one log file, stopped with SIGTERM (then
// SIGKILL) when the object goes.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace llmscope::testing {

class BackgroundProcess {
 public:
  // Starts argv[0] (a path) with argv; output goes to `log_path`. started() says whether it ran.
  BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // Whether it is still running (reaps it when it has exited).
  bool Running();
  // SIGTERM, up to 5 s, then SIGKILL.
  void Stop();
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Whether `path` is an executable file.
bool ProgramAvailable(const std::string& path);

}  // namespace llmscope::testing

#include "support/child_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "support/subprocess.h"

extern char** environ;

namespace llmscope::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log_dir, std::string name)
    : argv_(std::move(argv)),
      out_path_(log_dir + "/" + name + ".stdout.log"),
      err_path_(log_dir + "/" + name + ".stderr.log") {}

ChildProcess::~ChildProcess() {
  Stop();
}

bool ChildProcess::Start(std::string* error) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  pid_ = SpawnWithOutputFiles(argv_, env, out_path_, err_path_, error);
  return pid_ > 0;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::Stop(std::chrono::milliseconds timeout) {
  if (Running()) {
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
      pid_ = -1;
    }
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

std::string ChildProcess::Stdout() const {
  return ReadFile(out_path_);
}
std::string ChildProcess::Stderr() const {
  return ReadFile(err_path_);
}

}  // namespace llmscope::testing

// ServerProcess: starts, stops, kills and restarts the real `llmscope serve` binary for tests
// (see server_process.h). Every wait is bounded.
#include "support/server_process.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/subprocess.h"

extern char** environ;

namespace llmscope::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Waits up to `timeout` for `pid` to exit. Returns true with its wait status when it did.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0) return true;  // not our child any more (already reaped)
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
  if (options_.binary.empty()) throw std::runtime_error("ServerOptions.binary is required");
  char tmpl[] = "/tmp/llmscope-serve-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  data_dir_ = root_ + "/data";
  if (options_.set_api_key) api_key_ = options_.api_key;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
  if (!options_.keep_dir) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
}

std::string ServerProcess::LogPath(const char* stream, int run) const {
  return root_ + "/" + stream + "-" + std::to_string(run) + ".log";
}

std::string ServerProcess::Stdout(int run) const {
  return ReadFile(LogPath("stdout", run > 0 ? run : runs_));
}

std::string ServerProcess::Stderr(int run) const {
  return ReadFile(LogPath("stderr", run > 0 ? run : runs_));
}

std::vector<std::string> ServerProcess::ChildEnv() const {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    // The test's own LLMSCOPE_* settings never leak into the server under test.
    if (std::strncmp(*e, "LLMSCOPE_", 9) != 0) env.emplace_back(*e);
  }
  if (options_.set_api_key) env.push_back("LLMSCOPE_API_KEY=" + options_.api_key);
  for (const auto& [name, value] : options_.env) env.push_back(name + "=" + value);
  return env;
}

bool ServerProcess::SpawnOnce(std::string* error, bool* bind_failed) {
  *bind_failed = false;
  port_ = PickFreePort();
  ++runs_;
  std::vector<std::string> argv = {options_.binary, "serve",
                                   "--listen",      "127.0.0.1:" + std::to_string(port_),
                                   "--data-dir",    data_dir_};
  if (!options_.simulated_probe) argv.push_back("--no-simulated");
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  const std::string out_path = LogPath("stdout", runs_), err_path = LogPath("stderr", runs_);
  pid_ = SpawnWithOutputFiles(argv, ChildEnv(), out_path, err_path, error);
  if (pid_ < 0) return false;

  const auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const std::string err = Stderr();
      *bind_failed = err.find("cannot listen") != std::string::npos;
      *error =
          "the server exited during start (status " + std::to_string(status) + "); stderr:\n" + err;
      return false;
    }
    // Only our child's own /health: another test's server may hold the port (it was free when
    // picked, then taken by both; ours then fails to bind and exits), and answers the same way.
    if (Stderr().find("listening on http://127.0.0.1:" + std::to_string(port_)) !=
        std::string::npos) {
      httplib::Client c("127.0.0.1", port_);
      c.set_connection_timeout(0, 200000);
      c.set_read_timeout(1, 0);
      if (httplib::Result r = c.Get("/health"); r && r->status == 200) {
        if (!options_.set_api_key) {
          std::string key = ReadFile(data_dir_ + "/api_key");
          while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
          api_key_ = key;
        }
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  *error = "the server did not answer /health within " +
           std::to_string(options_.start_timeout.count()) + " ms; stderr:\n" + Stderr();
  return false;
}

bool ServerProcess::Start(std::string* error) {
  if (pid_ > 0) {
    *error = "the server is already running";
    return false;
  }
  // The free port can be taken between picking and binding: a few bounded retries.
  for (int attempt = 0; attempt < 3; ++attempt) {
    bool bind_failed = false;
    if (SpawnOnce(error, &bind_failed)) return true;
    if (!bind_failed) return false;
  }
  return false;
}

int ServerProcess::Stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -2;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, timeout, &status)) {
    Kill();
    return -2;
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool ServerProcess::Restart(std::string* error) {
  if (pid_ > 0) {
    const int code = Stop();
    if (code != 0) {
      *error = "the server did not stop cleanly (code " + std::to_string(code) + ")";
      return false;
    }
  }
  return Start(error);
}

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::unique_ptr<httplib::Client> ServerProcess::Client() const {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  c->set_connection_timeout(2, 0);
  // Bounded, yet long enough for the largest replies the tests ask for (100,000 violations, a
  // batch of 5,000 samples) under sanitizers on a loaded 2-core machine: 15 s was once exceeded.
  c->set_read_timeout(60, 0);
  c->set_write_timeout(60, 0);
  return c;
}

httplib::Headers ServerProcess::AuthHeaders() const {
  return {{"Authorization", "Bearer " + api_key_}};
}

std::string Reply::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Reply ServerProcess::Call(const std::string& method, const std::string& path,
                          const std::string& body, Auth auth,
                          const std::string& content_type) const {
  httplib::Headers headers;
  if (auth == Auth::kKey) headers = AuthHeaders();
  if (auth == Auth::kWrongKey) headers = {{"Authorization", "Bearer " + api_key_ + "-wrong"}};
  std::unique_ptr<httplib::Client> c = Client();
  httplib::Result r =
      method == "POST"     ? c->Post(path.c_str(), headers, body, content_type.c_str())
      : method == "PUT"    ? c->Put(path.c_str(), headers, body, content_type.c_str())
      : method == "DELETE" ? c->Delete(path.c_str(), headers)
                           : c->Get(path.c_str(), headers);
  Reply out;
  if (!r) {
    out.transport_error = httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  out.body = r->body;
  out.headers = r->headers;
  return out;
}

std::unique_ptr<ServerProcess> StartServer(const std::string& binary, ServerOptions options) {
  options.binary = binary;
  auto server = std::make_unique<ServerProcess>(std::move(options));
  std::string error;
  if (!server->Start(&error)) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  return server;
}

}  // namespace llmscope::testing

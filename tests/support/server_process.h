// ServerProcess: the real `llmscope serve` binary as a child process for integration tests, in a
// fresh temporary data directory, listening on 127.0.0.1 on a free port, with its stdout and
// stderr captured to files. Start() returns once GET /health answers (or fails, bounded);
// Stop() sends SIGTERM and returns the exit code; Kill() sends SIGKILL; Start() again runs a
// new process on the same data directory (a restart). The destructor kills a process still
// running and removes the temporary directory unless told to keep it.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/free_port.h"

namespace llmscope::testing {

// Which Authorization header a request carries.
enum class Auth { kKey, kNone, kWrongKey };

// One HTTP exchange. status is 0 when no response came (transport_error says why).
struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string transport_error;
  std::string Header(const std::string& name) const;
};

struct ServerOptions {
  std::string binary;       // path of the llmscope executable (required)
  bool set_api_key = true;  // false: no LLMSCOPE_API_KEY, the server generates one
  std::string api_key = "test-key-0123456789abcdef";
  std::vector<std::string> extra_args;  // after `serve --listen … --data-dir …`
  // false: `--no-simulated`, so only the test's own samples reach the store.
  bool simulated_probe = false;
  std::vector<std::pair<std::string, std::string>> env;  // added to the child's environment
  bool keep_dir = false;  // keep the temporary directory after the test
  std::chrono::milliseconds start_timeout{10000};
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server (again, on the same data directory, when it ran before) on a free port and
  // waits until /health answers 200. On failure returns false and sets `error` (with the
  // child's stderr). Any earlier process must have been stopped or killed.
  bool Start(std::string* error);
  // SIGTERM, then waits up to `timeout`. Returns the exit code; -1 when the child died of a
  // signal; -2 when it did not exit in time (it is then killed).
  int Stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));
  // SIGKILL, and reaps the child.
  void Kill();
  // Stop() (when running) then Start(). Returns false with `error` on failure.
  bool Restart(std::string* error);
  // Whether the child is still running (reaps it when it has exited).
  bool Running();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // The key the tests send: the configured one, or (set_api_key false) the one the server wrote
  // to data_dir/api_key, read after each start.
  const std::string& api_key() const { return api_key_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string db_path() const { return data_dir_ + "/llmscope.db"; }
  // stdout / stderr of start number `run` (1 = first start); default: the latest.
  std::string Stdout(int run = 0) const;
  std::string Stderr(int run = 0) const;
  int runs() const { return runs_; }

  // A client for 127.0.0.1:port with a short connection timeout and bounded (60 s) reads.
  std::unique_ptr<httplib::Client> Client() const;
  // {"Authorization": "Bearer <key>"}.
  httplib::Headers AuthHeaders() const;
  // One request on a fresh connection: method "GET", "POST", "PUT" or "DELETE"; a POST or PUT
  // sends `body` with `content_type` (the others ignore both).
  Reply Call(const std::string& method, const std::string& path, const std::string& body = "",
             Auth auth = Auth::kKey, const std::string& content_type = "application/json") const;

 private:
  bool SpawnOnce(std::string* error, bool* bind_failed);
  std::string LogPath(const char* stream, int run) const;
  std::vector<std::string> ChildEnv() const;

  ServerOptions options_;
  std::string root_;      // the mkdtemp directory: data/ and the log files
  std::string data_dir_;  // root_/data
  std::string api_key_;
  int port_ = 0;
  pid_t pid_ = -1;
  int runs_ = 0;
};


// Starts `binary` as a server with `options` (their binary is replaced); a failure to start is a
// test failure and gives nullptr.
std::unique_ptr<ServerProcess> StartServer(const std::string& binary, ServerOptions options = {});

}  // namespace llmscope::testing

// What the loopback benches that drive a real `llmscope serve` share (history_window_bench,
// many_sources_memory_bench): a run's failure, clocks, a process's memory from /proc, a random
// API key, and the API client (one keep-alive connection, the key on every request, every request
// bounded by the run's deadline).
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace llmscope::bench {

using Clock = std::chrono::steady_clock;

// A failed run: the message says what and why.
struct RunFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// "VmHWM" (peak) or "VmRSS" (now) of a process, in kB; -1 when unknown.
inline long ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  const std::string prefix = std::string(field) + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

inline std::string RandomKey() {
  std::random_device rd;
  std::string key;
  for (int i = 0; i < 32; ++i) key += "0123456789abcdef"[rd() % 16];
  return key;
}

class Api {
 public:
  Api(int port, const std::string& key, Clock::time_point deadline)
      : client_("127.0.0.1", port), deadline_(deadline) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);
    client_.set_connection_timeout(5, 0);
    headers_ = {{"Authorization", "Bearer " + key}};
  }

  // POST /api/stats; the reply's body (HTTP 200 or 201 only).
  std::string PostSamples(const std::string& body) {
    Bound();
    httplib::Result r = client_.Post("/api/stats", headers_, body, "application/json");
    if (!r) throw RunFailure("POST /api/stats: " + httplib::to_string(r.error()));
    if (r->status != 200 && r->status != 201) {
      throw RunFailure("POST /api/stats: HTTP " + std::to_string(r->status) + ": " +
                       r->body.substr(0, 500));
    }
    return std::move(r->body);
  }

  // The reply's body (HTTP 200 only).
  std::string Get(const std::string& path, const httplib::Params& params) {
    Bound();
    httplib::Result r = client_.Get(path, params, headers_);
    if (!r) throw RunFailure("GET " + path + ": " + httplib::to_string(r.error()));
    if (r->status != 200) {
      throw RunFailure("GET " + path + ": HTTP " + std::to_string(r->status) + ": " +
                       r->body.substr(0, 500));
    }
    return std::move(r->body);
  }

 private:
  // No request may outlast the deadline.
  void Bound() {
    const double left = std::chrono::duration<double>(deadline_ - Clock::now()).count();
    if (left <= 0) throw RunFailure("--max-seconds ran out");
    const auto s = static_cast<time_t>(std::ceil(left));
    client_.set_read_timeout(s, 0);
    client_.set_write_timeout(s, 0);
  }

  httplib::Client client_;
  httplib::Headers headers_;
  Clock::time_point deadline_;
};

}  // namespace llmscope::bench

// IngestLoad: a bounded ingest load on a running `llmscope serve` for crash tests. Client threads
// on keep-alive connections POST /api/stats: single samples, and every 10th request a batch.
// Each request carries a unique tag in prompt_hash ("s-…" single, "b-…" batch) so a test can
// find it in the store. It records what the server acknowledged (200 with one id per sample)
// and every unexpected reply; a transport error after ServerGone() is the expected end of a
// client (the server was killed), before it an unexpected reply.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace llmscope::testing {

struct IngestLoadOptions {
  int threads = 4;
  int max_requests = 4000;  // all threads together: the load is bounded
  int batch = 50;           // samples in each batch request
  std::string provider = "load";
  // The model of thread t's samples; default "m".
  std::function<std::string(int thread)> model = [](int) { return "m"; };
  // latency_ms of sample k (0 for a single) of request n of thread t.
  std::function<double(int thread, int n, int k)> latency = [](int, int n, int k) {
    return 1000.0 + (n * 7 + k) % 100;
  };
  std::string tag_prefix;  // prepended to every tag, e.g. the round of a test
};

class IngestLoad {
 public:
  IngestLoad(int port, httplib::Headers auth, IngestLoadOptions options);
  ~IngestLoad();  // joins the clients (call ServerGone() first when the server is gone)
  IngestLoad(const IngestLoad&) = delete;
  IngestLoad& operator=(const IngestLoad&) = delete;

  // Waits until `requests` requests were acknowledged, or `timeout`, or the load is spent.
  void WaitForAcknowledged(int requests, std::chrono::milliseconds timeout) const;
  // Marks the server as gone (call just before killing it): clients stop at their next
  // transport error.
  void ServerGone() { gone_ = true; }
  // Joins the clients. Idempotent.
  void Join();

  int issued() const { return std::min(issued_.load(), options_.max_requests); }
  int acknowledged() const { return acknowledged_; }
  // After Join(): the ids and tags acknowledged, and the unexpected replies.
  const std::vector<int64_t>& acknowledged_ids() const { return acked_ids_; }
  const std::set<std::string>& acknowledged_tags() const { return acked_tags_; }
  const std::vector<std::string>& unexpected() const { return unexpected_; }
  int samples_per_tag(const std::string& tag) const {
    return tag.find("b-") != std::string::npos ? options_.batch : 1;
  }

 private:
  void Client(int thread);

  int port_;
  httplib::Headers auth_;
  IngestLoadOptions options_;
  std::atomic<int> issued_{0}, acknowledged_{0};
  std::atomic<bool> gone_{false};
  std::mutex mu_;  // guards the three records below
  std::vector<int64_t> acked_ids_;
  std::set<std::string> acked_tags_;
  std::vector<std::string> unexpected_;
  std::vector<std::thread> threads_;
};

}  // namespace llmscope::testing

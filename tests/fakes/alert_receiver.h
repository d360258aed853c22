// AlertReceiver: an in-process HTTP receiver on 127.0.0.1 for the Slack, webhook and PagerDuty
// formats (any POST path), for alerting tests. It records every request (path, headers, body,
// arrival time) and answers by plan: the next queued replies first (PushReply: a status, with
// Retry-After when given, after a delay — "slow"), then 200 (PagerDuty paths: 202 with the
// Events API's body). Down is Stop(); Start() again listens on the same port.
#pragma once

#include <httplib.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace llmscope::testing {

struct ReceivedRequest {
  std::string path, body;
  httplib::Headers headers;
  std::chrono::steady_clock::time_point at;
  int answered = 0;  // the status sent back
  std::string Header(const std::string& name) const;
};

struct PlannedReply {
  int status = 200;
  int retry_after_s = -1;  // -1: no Retry-After header
  std::chrono::milliseconds delay{0};
};

class AlertReceiver {
 public:
  // port 0: any free port, chosen by the first Start() and kept by later ones.
  explicit AlertReceiver(int port);
  ~AlertReceiver();

  // Listens on 127.0.0.1:port (returns once it accepts); false when it cannot bind.
  bool Start();
  void Stop();

  void PushReply(PlannedReply reply);
  std::vector<ReceivedRequest> Requests() const;
  // Requests answered 2xx, one per Idempotency-Key (the first), in arrival order.
  std::vector<ReceivedRequest> AcceptedUnique() const;
  std::string Url(const std::string& path) const;
  int port() const { return port_; }

 private:
  int port_;
  mutable std::mutex mu_;
  std::deque<PlannedReply> plan_;
  std::vector<ReceivedRequest> requests_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace llmscope::testing

#include "fakes/alert_receiver.h"

#include <set>

namespace llmscope::testing {

std::string ReceivedRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

AlertReceiver::AlertReceiver(int port) : port_(port) {}

AlertReceiver::~AlertReceiver() {
  Stop();
}

bool AlertReceiver::Start() {
  Stop();
  server_ = std::make_unique<httplib::Server>();
  server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    PlannedReply reply;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!plan_.empty()) {
        reply = plan_.front();
        plan_.pop_front();
      }
    }
    if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
    res.status = reply.status;
    if (reply.retry_after_s >= 0)
      res.set_header("Retry-After", std::to_string(reply.retry_after_s));
    if (reply.status == 200 && req.path.find("pagerduty") != std::string::npos) {
      res.status = 202;
      res.set_content(R"({"status":"success","message":"Event processed"})", "application/json");
    } else {
      res.set_content(reply.status < 300 ? "ok" : "try later", "text/plain");
    }
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(
        {req.path, req.body, req.headers, std::chrono::steady_clock::now(), res.status});
  });
  if (port_ == 0) {
    const int bound = server_->bind_to_any_port("127.0.0.1");
    if (bound < 0) return false;
    port_ = bound;
  } else if (!server_->bind_to_port("127.0.0.1", port_)) {
    return false;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return server_->is_running();
}

void AlertReceiver::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void AlertReceiver::PushReply(PlannedReply reply) {
  std::lock_guard<std::mutex> lock(mu_);
  plan_.push_back(reply);
}

std::vector<ReceivedRequest> AlertReceiver::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<ReceivedRequest> AlertReceiver::AcceptedUnique() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ReceivedRequest> out;
  std::set<std::string> seen;
  for (const ReceivedRequest& r : requests_) {
    if (r.answered < 200 || r.answered >= 300) continue;
    if (seen.insert(r.Header("Idempotency-Key")).second) out.push_back(r);
  }
  return out;
}

std::string AlertReceiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace llmscope::testing

// IngestLoad (see ingest_load.h).
#include "support/ingest_load.h"

#include <nlohmann/json.hpp>

namespace llmscope::testing {

using nlohmann::json;

IngestLoad::IngestLoad(int port, httplib::Headers auth, IngestLoadOptions options)
    : port_(port), auth_(std::move(auth)), options_(std::move(options)) {
  for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this, t] { Client(t); });
}

IngestLoad::~IngestLoad() {
  Join();
}

void IngestLoad::Join() {
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void IngestLoad::WaitForAcknowledged(int requests, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (acknowledged_ < requests && std::chrono::steady_clock::now() < deadline &&
         issued_ < options_.max_requests) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void IngestLoad::Client(int thread) {
  httplib::Client c("127.0.0.1", port_);
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  c.set_connection_timeout(1, 0);
  c.set_read_timeout(10, 0);
  const std::string model = options_.model(thread);
  auto sample = [&](int n, int k, const std::string& tag) {
    return json{{"provider", options_.provider},
                {"model", model},
                {"latency_ms", options_.latency(thread, n, k)},
                {"prompt_hash", tag}};
  };
  for (int n = 0; issued_.fetch_add(1) < options_.max_requests; ++n) {
    const bool batch = n % 10 == 9;
    const std::string tag = options_.tag_prefix + (batch ? "b-" : "s-") + std::to_string(thread) +
                            "-" + std::to_string(n);
    json body;
    if (batch) {
      json items = json::array();
      for (int k = 0; k < options_.batch; ++k) items.push_back(sample(n, k, tag));
      body = json{{"samples", std::move(items)}};
    } else {
      body = sample(n, 0, tag);
    }
    httplib::Result r = c.Post("/api/stats", auth_, body.dump(), "application/json");
    std::lock_guard<std::mutex> lock(mu_);
    if (!r) {
      if (gone_) break;  // the server is gone: stop
      unexpected_.push_back(tag + ": " + httplib::to_string(r.error()));
      continue;
    }
    if (r->status != 200) {
      unexpected_.push_back(tag + ": " + std::to_string(r->status) + " " + r->body);
      continue;
    }
    const json reply = json::parse(r->body, nullptr, false);
    if (reply.is_discarded() || !reply.contains("ids") ||
        reply["ids"].size() != static_cast<size_t>(batch ? options_.batch : 1)) {
      unexpected_.push_back(tag + ": " + r->body);
      continue;
    }
    for (const json& id : reply["ids"]) acked_ids_.push_back(id.get<int64_t>());
    acked_tags_.insert(tag);
    ++acknowledged_;
  }
}

}  // namespace llmscope::testing

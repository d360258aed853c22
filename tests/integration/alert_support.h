// Shared by the alerting integration tests: config files, opening a violation through the API,
// bounded waiting, and the rule for tests that need an external program.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/child_process.h"
#include "support/server_process.h"

namespace llmscope::testing {

using json = nlohmann::json;

// Skips the test locally, fails it when CI=true: a program the test needs is missing.
#define REQUIRE_PROGRAM(path, package)                                               \
  do {                                                                               \
    if (access((path), X_OK) != 0) {                                                 \
      const char* ci = std::getenv("CI");                                            \
      if (ci != nullptr && std::string(ci) == "true") {                              \
        FAIL() << (path) << " is missing (apt-get install " << (package) << ")";     \
      }                                                                              \
      GTEST_SKIP() << (path) << " is missing (apt-get install " << (package) << ")"; \
    }                                                                                \
  } while (0)

// Polls `done` every 50 ms until it holds or `timeout` passes; returns its last answer.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

inline json GetJson(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  return json::parse(r.body, nullptr, false);
}

// Twenty in-control points (the config's baseline is 20), then a spike: one R1 violation of
// provider "acme" and `model`. Returns its id (0 on failure, with a test failure).
inline int64_t OpenR1Violation(const ServerProcess& s, const std::string& model) {
  json batch = json::array();
  for (int i = 0; i < 20; ++i) {
    batch.push_back({{"provider", "acme"},
                     {"model", model},
                     {"latency_ms", 1000.0 * std::exp(0.05 * std::sin(static_cast<double>(i)))}});
  }
  batch.push_back({{"provider", "acme"}, {"model", model}, {"latency_ms", 30000.0}});
  const Reply r = s.Call("POST", "/api/stats", json{{"samples", batch}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  const json list = GetJson(s, "/api/violations?rule=R1&phase=monitoring&model=" + model);
  EXPECT_EQ(list["count"], 1) << list.dump();
  if (list["count"] != 1) return 0;
  return list["violations"][0]["id"].get<int64_t>();
}

// The `deliveries` of GET /api/violations/{id}.
inline json Deliveries(const ServerProcess& s, int64_t id) {
  return GetJson(s, "/api/violations/" + std::to_string(id))["deliveries"];
}

// Whether every delivery of violation `id` is in `state` (and there are `count` of them).
inline bool AllInState(const ServerProcess& s, int64_t id, size_t count, const std::string& state) {
  const json d = Deliveries(s, id);
  if (!d.is_array() || d.size() != count) return false;
  for (const json& x : d) {
    if (x["state"] != state) return false;
  }
  return true;
}

}  // namespace llmscope::testing

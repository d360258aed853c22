// What the tests of a series' settings routes (SLO, overrides) over `llmscope serve` share: a
// body read as JSON, a steady latency series of llama3 posted, and the check that a PUT with
// a bad body is refused with 400, the expected code and a message naming the field.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "support/server_process.h"

namespace llmscope::testing {

// The reply's body as JSON (discarded when it is not JSON).
inline nlohmann::json ParseBody(const Reply& r) {
  return nlohmann::json::parse(r.body, nullptr, false);
}

// Posts points [from, from + count) of a steady PROVIDER/llama3 latency series (about 2 s).
inline void IngestSteadyLatencies(const ServerProcess& s, int from, int count,
                                  const std::string& provider = "ollama") {
  nlohmann::json batch = nlohmann::json::array();
  for (int i = from; i < from + count; ++i) {
    batch.push_back(nlohmann::json{{"provider", provider},
                                   {"model", "llama3"},
                                   {"latency_ms", 2000.0 * std::exp(0.05 * std::sin(i))}});
  }
  const Reply r = s.Call("POST", "/api/stats", nlohmann::json{{"samples", batch}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
}

// PUT `body` to `path` is refused: 400, error `code`, a message that names `field`.
inline void ExpectBadPut(const ServerProcess& s, const std::string& path, const std::string& body,
                         const std::string& code, const std::string& field) {
  const Reply r = s.Call("PUT", path, body);
  EXPECT_EQ(r.status, 400) << body << ": " << r.body;
  const nlohmann::json e = ParseBody(r)["error"];
  EXPECT_EQ(e["code"], code) << r.body;
  EXPECT_NE(e["message"].get<std::string>().find(field), std::string::npos) << r.body;
}

}  // namespace llmscope::testing

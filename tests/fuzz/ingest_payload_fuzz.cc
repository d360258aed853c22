// Fuzzes the POST /api/stats body parser and validator (server/ingest_payload.h) with arbitrary
// bytes: it must never crash, refuse only with a documented code, and accept only samples within
// the limits it was given. Bodies are parsed by simdjson; a body is refused as invalid_json
// exactly when nlohmann's parser (which read them before) refuses it.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "server/ingest_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::set<std::string> kCodes = {"invalid_json", "invalid_field", "unknown_field",
                                               "missing_field", "batch_too_large"};
  constexpr int64_t kNow = 1795446245000;  // 2026-11-23T15:04:05Z
  llmscope::server::IngestLimits limits;
  limits.max_batch = 64;  // small, so that the fuzzer can reach the limit
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto r = llmscope::server::ParseIngestBody(body, kNow, limits);
  const bool refused_as_json = !r.ok() && r.error().code == "invalid_json";
  FUZZ_CHECK(refused_as_json == !nlohmann::json::accept(body));
  if (!r.ok()) {
    FUZZ_CHECK(kCodes.count(r.error().code) == 1);
    FUZZ_CHECK(!r.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!r->samples.empty());
  FUZZ_CHECK(static_cast<int64_t>(r->samples.size()) <= limits.max_batch);
  for (const llmscope::Sample& s : r->samples) {
    FUZZ_CHECK(!s.source.provider.empty() && s.source.provider.size() <= limits.max_name);
    FUZZ_CHECK(!s.source.model.empty() && s.source.model.size() <= limits.max_name);
    FUZZ_CHECK(s.time_ms <= kNow + limits.max_future_ms);
    FUZZ_CHECK(!s.e2e_ms || *s.e2e_ms <= limits.max_latency_ms);
  }
  return 0;
}

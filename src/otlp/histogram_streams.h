// HistogramStreams: the last cumulative count and sum of each OTLP histogram stream, so that
// cumulative exports (the default temporality of most SDKs) can be differenced into the
// interval each export adds (docs/design.md "OpenTelemetry ingest", the histogram rule).
//
// A stream is one metric of one resource, scope and attribute set (its identity, as OTLP's data
// model defines it); the caller builds the key. Bounded: at most `max_streams` are remembered,
// the least recently updated forgotten first (a forgotten stream's next export only sets its
// baseline again). Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace llmscope::otlp {

// What a stream's data points added in one interval: a count of observations and their sum.
struct HistogramInterval {
  uint64_t count = 0;
  double sum = 0;
};

class HistogramStreams {
 public:
  explicit HistogramStreams(size_t max_streams = 10000) : max_streams_(max_streams) {}

  // Takes a cumulative point (start time, count, sum) of stream `key` and returns what it adds
  // to the previous point of the stream. nullopt when there is no previous point to difference
  // against: the stream's first point, or the first after a reset (a new start time, or a
  // count that went down: the sender restarted).
  std::optional<HistogramInterval> Difference(const std::string& key, uint64_t start_unix_nanos,
                                              uint64_t count, double sum);

  size_t size() const;

 private:
  struct Point {
    uint64_t start_unix_nanos = 0;
    uint64_t count = 0;
    double sum = 0;
    std::list<std::string>::iterator recency;
  };

  size_t max_streams_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Point> last_;
  std::list<std::string> recency_;  // front: most recently updated
};

}  // namespace llmscope::otlp

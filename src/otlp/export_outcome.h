// What one OTLP export request gave LLMscope: the samples it became, and the count of items
// (spans, or metric data points) ignored because they describe no LLM call LLMscope charts, and
// of those refused because they describe one that cannot be a sample (docs/design.md
// "OpenTelemetry ingest"). Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sample.h"

namespace llmscope::otlp {

struct ExportOutcome {
  std::vector<Sample> samples;
  int64_t ignored = 0;          // accepted, no sample: not a GenAI item, or nothing LLMscope charts
  int64_t rejected = 0;         // a GenAI item that cannot be a sample (OTLP's partial success)
  std::string first_rejection;  // why the first rejected item was refused; "" when none

  void Reject(std::string why) {
    if (rejected++ == 0) first_rejection = std::move(why);
  }
};

}  // namespace llmscope::otlp

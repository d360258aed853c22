// Where the proxy hands the samples of finished calls (docs/design.md "Proxy").
//
// Offer() is called on the proxy's I/O thread once per call and must not block: an
// implementation that cannot take a sample now drops it (and counts it); the call it measured
// has already been relayed.
#pragma once

#include "core/sample.h"

namespace llmscope::proxy {

class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual void Offer(Sample sample) = 0;
};

}  // namespace llmscope::proxy

// A free TCP port on 127.0.0.1, for tests and bounded load programs that start servers.
#pragma once

namespace llmscope::testing {

// A port that was free on 127.0.0.1 a moment ago (bound to port 0, then released). Throws
// std::runtime_error when no socket can be bound.
int PickFreePort();

}  // namespace llmscope::testing

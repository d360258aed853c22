#include "server/display_downsample.h"

namespace llmscope::server {

DisplayBuckets DisplayBuckets::For(int64_t since_ms, int64_t until_ms, size_t max_points,
                                   size_t kept) {
  DisplayBuckets b;
  b.since_ms = since_ms;
  const size_t room = max_points > kept + 4 ? max_points - kept : 4;
  b.count = std::max<size_t>(room / 4, 1);
  const int64_t span = std::max<int64_t>(until_ms - since_ms, 1);
  const auto count = static_cast<int64_t>(b.count);
  b.width_ms = std::max<int64_t>((span + count - 1) / count, 1);
  return b;
}

size_t DisplayBuckets::Of(int64_t time_ms) const {
  if (time_ms <= since_ms) return 0;
  const int64_t bucket = (time_ms - since_ms) / width_ms;
  return std::min(static_cast<size_t>(bucket), count - 1);
}

}  // namespace llmscope::server

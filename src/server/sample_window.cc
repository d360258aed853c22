#include "server/sample_window.h"

#include <algorithm>

namespace llmscope::server {

Result<store::SampleQuery> SampleWindow(const QueryParams& params, bool need_source,
                                        int64_t now_ms) {
  store::SampleQuery q;
  if (need_source || params.Has("site") || params.Has("profile")) {
    if (!params.Has("provider") || !params.Has("model")) {
      return Error{"invalid_parameter", "provider and model name the series"};
    }
    q.source = SourceKey{*params.Text("provider"), *params.Text("model"),
                         params.Text("site").value_or(""), params.Text("profile").value_or("")};
  } else {
    q.provider = params.Text("provider");
    q.model = params.Text("model");
  }
  Result<std::optional<double>> hours = params.InRange<double>("hours", 1e-6, 24 * 366);
  if (!hours) return hours.error();
  q.since_ms = now_ms - static_cast<int64_t>(hours->value_or(24) * 3600000.0);
  Result<std::optional<int64_t>> since = params.Time("since");
  if (!since) return since.error();
  Result<std::optional<int64_t>> until = params.Time("until");
  if (!until) return until.error();
  q.since_ms = since->value_or(q.since_ms);
  q.until_ms = until->value_or(q.until_ms);
  if (q.since_ms >= q.until_ms) {
    return Error{"invalid_parameter", "since must be before until"};
  }
  Result<std::optional<int64_t>> limit = params.InRange<int64_t>("limit", 1, kMaxWindowSamples);
  if (!limit) return limit.error();
  q.limit = limit->value_or(100000);
  return q;
}

Result<std::vector<Sample>> NewestOfWindow(store::Store& store, store::SampleQuery q) {
  q.newest_first = true;
  Result<std::vector<Sample>> found = store.QuerySamples(q);
  if (!found) return found.error();
  std::reverse(found->begin(), found->end());
  return found;
}

}  // namespace llmscope::server

#include "store/rollup_rebuild.h"

namespace llmscope::store {
namespace {

constexpr int64_t kRebuildPage = 20000;

}  // namespace

Result<int64_t> RebuildRollupsInPages(int64_t since_ms, const RollupRebuildSteps& steps) {
  const int64_t from = since_ms == INT64_MIN ? INT64_MIN : BucketStart(since_ms, kRollupHourMs);
  if (Status s = steps.delete_from(from); !s) return s.error();
  if (Status s = steps.count_violations_from(from); !s) return s.error();
  int64_t written = 0, after_id = 0;
  while (true) {
    Result<std::vector<Sample>> page = steps.read_page(after_id, from, kRebuildPage);
    if (!page) return page.error();
    RollupBuilder builder;
    for (const Sample& s : *page) builder.Add(s, s.id);
    const std::vector<SourceRollup> rollups = builder.Take();
    if (Status s = steps.upsert(rollups); !s) return s.error();
    written += static_cast<int64_t>(rollups.size());
    if (static_cast<int64_t>(page->size()) < kRebuildPage) break;
    after_id = page->back().id;
  }
  return written;
}

std::vector<SourceRollup> RollupsOfStored(const std::vector<Sample>& samples,
                                          const std::vector<int64_t>& ids,
                                          const std::vector<bool>& duplicate) {
  RollupBuilder builder;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!duplicate[i]) builder.Add(samples[i], ids[i]);
  }
  return builder.Take();
}

}  // namespace llmscope::store

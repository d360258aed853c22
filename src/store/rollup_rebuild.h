// The rebuild of the rollups (rollups.h) from the samples, as both stores run it (store.h
// RebuildRollups): the stored rollups from the hour of since_ms on are deleted, then the samples
// from that hour on are read a page at a time in id order and each page's rollups added to the
// stored ones, so that memory stays one page's whatever the history; the violation counts
// (violation_counts.h) of those buckets are counted again from the violation rows. The store's
// own I/O is handed in; this holds the order of the steps and the paging. Returns the rollup rows
// written (one per source and bucket).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/rollups.h"

namespace llmscope::store {

struct RollupRebuildSteps {
  // Deletes the rollups with bucket_ms ≥ from (rollup_sql::DeleteFrom).
  std::function<Status(int64_t from)> delete_from;
  // At most `limit` samples with id > after_id and time_ms ≥ from, in id order
  // (rollup_sql::SelectSamplesToRebuild).
  std::function<Result<std::vector<Sample>>(int64_t after_id, int64_t from, int64_t limit)>
      read_page;
  // Adds rollups to the stored ones of their buckets (rollup_sql::Upsert).
  std::function<Status(const std::vector<SourceRollup>&)> upsert;
  // Rebuilds the violation counts (violation_counts.h) with bucket_ms ≥ from from the
  // violation rows.
  std::function<Status(int64_t from)> count_violations_from;
};

Result<int64_t> RebuildRollupsInPages(int64_t since_ms, const RollupRebuildSteps& steps);

// The rollups of the samples an append stored: ids[i] for samples[i], unless duplicate[i].
std::vector<SourceRollup> RollupsOfStored(const std::vector<Sample>& samples,
                                          const std::vector<int64_t>& ids,
                                          const std::vector<bool>& duplicate);

}  // namespace llmscope::store

// The violation counts (store/violation_counts.h) of a SQLite store on its writer connection,
// inside a transaction the caller holds (with the connection's mutex): each insert of violations
// adds to them, a rebuild or a migration counts the violation rows again, retention deletes them
// with the rollups.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/violation_counts.h"

namespace llmscope::store::sqlite {

// Adds the counts (CountsOfInserted) to the stored ones: one upsert per bucket.
Status AddToViolationCounts(SqliteConnection& conn, const std::vector<ViolationCount>& counts);

// Deletes the counts with bucket_ms ≥ from (every width) and counts the violation rows with
// first_time_ms ≥ from again (pass a bucket edge of every width, or INT64_MIN).
Status RebuildViolationCounts(SqliteConnection& conn, int64_t from);

// Deletes the counts of a width whose bucket starts before cutoff_ms; returns rows deleted.
Result<int64_t> DeleteViolationCountsOlderThan(SqliteConnection& conn, int64_t width_ms,
                                               int64_t cutoff_ms);

}  // namespace llmscope::store::sqlite

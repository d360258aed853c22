// The violation counts (store/violation_counts.h) of a PostgreSQL store on one connection,
// inside a transaction the caller holds: each insert of violations adds to them, a rebuild or a
// migration counts the violation rows again, retention deletes them with the rollups.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "store/postgres/pg_connection.h"
#include "store/violation_counts.h"

namespace llmscope::store::pg {

// Adds the counts (CountsOfInserted, in its key order: two servers lock the rows alike) to the
// stored ones: one upsert per bucket, all in one round trip.
Status AddToViolationCounts(PgConnection& conn, const std::vector<ViolationCount>& counts);

// Deletes the counts with bucket_ms ≥ from (every width) and counts the violation rows with
// first_time_ms ≥ from again (pass a bucket edge of every width, or INT64_MIN).
Status RebuildViolationCounts(PgConnection& conn, int64_t from);

// Deletes the counts of a width whose bucket starts before cutoff_ms; returns rows deleted.
Result<int64_t> DeleteViolationCountsOlderThan(PgConnection& conn, int64_t width_ms,
                                               int64_t cutoff_ms);

}  // namespace llmscope::store::pg

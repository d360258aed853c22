// The rollups (store/rollups.h) of a PostgreSQL store on one connection, inside a transaction
// the caller holds: AppendSamples adds each batch to them, a migration builds them from the
// samples already stored.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/postgres/pg_connection.h"

namespace llmscope::store::pg {

// Adds the samples that were stored (ids[i] for samples[i], not a duplicate) to the rollups:
// one upsert per touched source and bucket. all in one round trip.
Status AddToRollups(PgConnection& conn, const std::vector<Sample>& samples,
                    const std::vector<int64_t>& ids, const std::vector<bool>& duplicate);

// Deletes the rollups of every bucket from the hour of since_ms on and builds them again from
// the samples. Returns the rollup rows written.
Result<int64_t> RebuildRollups(PgConnection& conn, int64_t since_ms);

}  // namespace llmscope::store::pg

// The rollups (store/rollups.h) of a SQLite store on its writer connection, inside a
// transaction the caller holds (with the connection's mutex): AppendSamples adds each batch to
// them, a migration builds them from the samples already stored or converts the former rows.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/sqlite/sqlite_connection.h"

namespace llmscope::store::sqlite {

// Adds the samples that were stored (ids[i] for samples[i], not a duplicate) to the rollups:
// one upsert per touched source and bucket.
Status AddToRollups(SqliteConnection& conn, const std::vector<Sample>& samples,
                    const std::vector<int64_t>& ids, const std::vector<bool>& duplicate);

// Deletes the rollups of every bucket from the hour of since_ms on and builds them again from
// the samples. Returns the rollup rows written.
Result<int64_t> RebuildRollups(SqliteConnection& conn, int64_t since_ms);

// Schema step 9 (rollup_sql.h CreateSourceRollups): adds the rows of the former table `rollups`
// to source_rollups, one source at a time, each metric's rows read in order beside the others'
// (a merge; SQLite has no merge join), so every former row is read once, in its table's order.
Status ConvertFormerRollups(SqliteConnection& conn);

}  // namespace llmscope::store::sqlite

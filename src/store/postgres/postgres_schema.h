// The PostgreSQL schema of PostgresStore and its migrations (see postgres_store.h "Schema").
#pragma once

#include "core/result.h"
#include "store/postgres/pg_connection.h"
#include "store/schema_upgrade.h"

namespace llmscope::store::pg {

// Brings the database of `conn` to PostgresStore::kSchemaVersion: creates schema_version when
// missing and applies the pending steps in one transaction, holding a transaction-level advisory
// lock so that servers starting at once wait for each other and migrate once. "storage_error" for a
// database that is newer than this build or not llmscope's. `upgrade_notice` is told first when
// the database holds an older schema.
Status Migrate(PgConnection& conn, const SchemaUpgradeNotice& upgrade_notice);

// Advisory lock keys (pg_advisory_xact_lock), fixed for every llmscope database.
inline constexpr int64_t kMigrationLockKey = 0x6c6c6d73636f7001;  // "llmscop" 01
inline constexpr int64_t kAppendLockKey = 0x6c6c6d73636f7002;     // "llmscop" 02

}  // namespace llmscope::store::pg

// The SQLite schema of SqliteStore and its migrations (see sqlite_store.h "Schema").
#pragma once

#include "core/result.h"
#include "store/schema_upgrade.h"
#include "store/sqlite/sqlite_connection.h"

namespace llmscope::store::sqlite {

// Brings the file of `conn` (the writer, its mutex held) to SqliteStore::kSchemaVersion, kept in
// PRAGMA user_version: applies the pending steps in one IMMEDIATE transaction, so that two
// processes opening a new file at once migrate it once. "storage_error" for a file that is
// newer than this build or not llmscope's. `upgrade_notice` is told first when the file holds an
// older schema.
Status Migrate(SqliteConnection& conn, const SchemaUpgradeNotice& upgrade_notice);

}  // namespace llmscope::store::sqlite

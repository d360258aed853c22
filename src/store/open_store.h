// Opens the Store a `[store] url` names (docs/design.md "Data", "Scale").
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/schema_upgrade.h"
#include "store/store.h"

namespace llmscope::store {

// "sqlite://PATH": a SqliteStore on PATH, relative to the working directory
// ("sqlite://./data/x.db", "sqlite://data/x.db") or absolute ("sqlite:///var/lib/llmscope/x.db").
// "postgres://..." or "postgresql://...": a PostgresStore (a SharedStore) on that database, in
// libpq's URL form ("postgres://llmscope:secret@db.example:5432/llmscope?sslmode=require").
// Anything else, or an empty path: "invalid_store_url". Opening errors are SqliteStore::Open's
// and PostgresStore::Open's; none holds the URL's password.
// `upgrade_notice` is told before an existing database's schema is upgraded (schema_upgrade.h).
// The caller owns the returned store.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url,
                                          const SchemaUpgradeNotice& upgrade_notice = {});

}  // namespace llmscope::store

// Opens the Store a `[store] url` names (DESIGN.md "Data", "Scale").
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace llmscope::store {

// "sqlite://PATH": a SqliteStore on PATH, relative to the working directory
// ("sqlite://./data/x.db", "sqlite://data/x.db") or absolute ("sqlite:///var/lib/llmscope/x.db").
// "postgres://..." or "postgresql://...": "unsupported_store" until PostgreSQL support is built.
// Anything else, or an empty path: "invalid_store_url". Opening errors are SqliteStore::Open's.
// The caller owns the returned store.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url);

}  // namespace llmscope::store

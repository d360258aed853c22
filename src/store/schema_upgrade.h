// What a store tells its opener before it upgrades an existing database's schema.
#pragma once

#include <cstdint>
#include <functional>

namespace llmscope::store {

// Called once, before the pending migration steps run, when the database holds an older
// llmscope schema (never for a new, empty one): the first start after an upgrade. Some steps
// convert stored data (docs/design.md "Rollups"), which can take minutes on a store with months
// of history, so the opener can say why the start waits. Empty: nothing is told.
using SchemaUpgradeNotice = std::function<void(int64_t from_version, int64_t to_version)>;

}  // namespace llmscope::store

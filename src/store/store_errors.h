// The errors of store.h's contract, made alike by every Store implementation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace llmscope::store {

// I/O, corruption, a constraint, a database that is not llmscope's: `message` says which.
inline Error StorageError(std::string message) {
  return Error{"storage_error", std::move(message)};
}

// "<what> <id> not found", e.g. "violation 42 not found".
inline Error NotFound(std::string_view what, int64_t id) {
  return Error{"not_found", std::string(what) + " " + std::to_string(id) + " not found"};
}

// Whether this build can open a database whose schema is at `version`: "storage_error" when the
// version is not llmscope's (negative) or newer than `supported`, this build's.
inline Status CheckSchemaVersion(int64_t version, int64_t supported) {
  if (version < 0) {
    return StorageError("database schema version " + std::to_string(version) +
                        " is not llmscope's");
  }
  if (version > supported) {
    return StorageError("database schema version " + std::to_string(version) +
                        " is newer than this build's (" + std::to_string(supported) +
                        "): upgrade llmscope");
  }
  return {};
}

// FinishDelivery by a sender that does not hold the row.
inline Error DeliveryNotHeld(int64_t id, std::string_view owner) {
  return Error{"conflict",
               "delivery " + std::to_string(id) + " is not held by " + std::string(owner)};
}

// PutSetting and DeleteSetting (setting_records.h).
inline Error SettingNotFound(std::string_view kind, std::string_view id) {
  return Error{"not_found", std::string(kind) + " '" + std::string(id) + "' not found"};
}
inline Error SettingExists(std::string_view kind, std::string_view id) {
  return Error{"conflict", std::string(kind) + " '" + std::string(id) + "' exists already"};
}
inline Error SettingVersionConflict(std::string_view kind, std::string_view id, int64_t version) {
  return Error{"conflict", std::string(kind) + " '" + std::string(id) +
                               "' was changed meanwhile: it is at version " +
                               std::to_string(version)};
}

}  // namespace llmscope::store

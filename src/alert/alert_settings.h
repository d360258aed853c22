// AlertSettings: sinks, routes and mute windows changed from the browser or the API (docs/
// design.md "Settings"), kept in the store as settings of kinds "alert_sink", "alert_route" and
// "alert_mute" beside the ones of the config file, and applied to the running AlertService
// without a restart.
//
// - The file's items are the declarative start: they are listed with source "file" and cannot
//   be changed or deleted here ("conflict" naming the file); a stored item cannot take a file
//   item's name.
// - Each change is checked whole before it is written (ValidateSink / ValidateMute, the checks
//   the file's items pass; routes name known sinks; a sink that a route names is not deleted),
//   so nothing half-valid is stored. Errors "invalid_field" / "unknown_field" name the field.
// - Secrets (a webhook's HMAC key, a PagerDuty routing key, an SMTP password, a Slack URL) are
//   sealed with the SecretBox before they reach the store; the audit body is the item's view,
//   which holds none. A PUT that leaves a secret out keeps the stored one; null clears it.
// - Apply() merges file and store and reconfigures the service; the SettingsWatcher calls it
//   when any server on the database changed a setting, and each change here calls it at once.
//   A stored sink whose secret cannot be opened or whose *_env variable is unset is left out
//   (logged by name, never the value); rows waiting for it fail with "no sink named ...".
// Thread-safe: changes and Apply take one lock.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_config.h"
#include "alert/alert_service.h"
#include "alert/alert_settings_json.h"
#include "core/clock.h"
#include "core/result.h"
#include "settings/secret_box.h"
#include "store/store.h"

namespace llmscope::alert {

enum class ItemSource : uint8_t { kFile, kStore };
// "file", "store".
const char* ItemSourceName(ItemSource source);

struct SinkItem {
  SinkConfig config;
  StoredSecrets secrets;  // which secrets are kept sealed (none for the file's)
  ItemSource source = ItemSource::kStore;
  int64_t version = 0;  // the store's version; 0 for the file's
};
struct RouteItem {
  NamedRoute route;
  ItemSource source = ItemSource::kStore;
  int64_t version = 0;
};
struct MuteItem {
  MuteWindow mute;
  ItemSource source = ItemSource::kStore;
  int64_t version = 0;
};

// Who and when a change is made, and the version it replaces (SettingWrite::expected_version).
struct ChangeContext {
  std::string actor;
  std::optional<int64_t> expected_version;
};

class AlertSettings {
 public:
  using Log = std::function<void(const std::string&)>;

  // All must outlive this object. `file` is the config file's [alerts]; `file_path` names it in
  // errors; `env` reads the *_env variables.
  AlertSettings(store::Store& store, const settings::SecretBox& box, AlertConfig file,
                std::string file_path, AlertService& service, EnvLookup env, Clock clock, Log log);

  Result<std::vector<SinkItem>> Sinks();
  Result<std::vector<RouteItem>> Routes();
  Result<std::vector<MuteItem>> Mutes();

  // Creates (expected_version 0), replaces or upserts one item, then applies. Returns it.
  Result<SinkItem> PutSink(const SinkRequest& request, const ChangeContext& change);
  Result<RouteItem> PutRoute(const NamedRoute& route, const ChangeContext& change);
  Result<MuteItem> PutMute(const MuteWindow& mute, const ChangeContext& change);
  // "not_found", or "conflict" for a file item (and a sink that a route names).
  Status DeleteSink(const std::string& name, const std::string& actor);
  Status DeleteRoute(const std::string& name, const std::string& actor);
  Status DeleteMute(const std::string& name, const std::string& actor);

  // A test alert to the sink, due now; returns its delivery key. "not_found" for an unknown sink.
  Result<std::string> SendTest(const std::string& sink);
  // The outbox row of a test alert by its key (its state, attempts, last error); nullopt while
  // unknown.
  Result<std::optional<store::DeliveryRecord>> TestDelivery(const std::string& key);

  // Reads the stored items and reconfigures the service with them and the file's.
  Status Apply();

 private:
  Result<std::vector<StoredSink>> StoredSinks();
  Status FileConflict(const char* what, const std::string& name, bool in_file) const;
  Status Delete(const char* kind, const std::string& name, const std::string& actor);
  // Stores one item as `change` says (audit_body: "" for the body itself) and applies the new
  // set; the stored version. mu_ held.
  Result<int64_t> WriteAndApply(const char* kind, const std::string& id, std::string body,
                                std::string audit_body, const ChangeContext& change);
  Status ApplyLocked();

  store::Store& store_;
  const settings::SecretBox& box_;
  const AlertConfig file_;
  const std::string file_path_;
  AlertService& service_;
  EnvLookup env_;
  Clock clock_;
  Log log_;
  std::mutex mu_;
};

}  // namespace llmscope::alert

// TargetService: the targets this server probes (docs/design.md "Settings"). Those of the config
// file are read-only here ("conflict" naming the file); the others are settings of kind
// "target" in the store, created, changed and deleted through the API and applied to the probe
// scheduler by ApplyStored, which the settings watcher calls after any change by any server on
// the database: every server probes every stored target, as each probes its file's targets.
//
// While no target is stored and the file names none, the simulated demo target (when given) is
// probed; the first stored target replaces it, and it comes back when the last one is deleted.
//
// Keys: a target's "key" is sealed with the SecretBox before it is stored and opened only to
// build its provider; nothing here returns or logs it.
//
// Thread-safety: every method may be called from any thread; `store`, `secrets` and
// `scheduler` must outlive the service. `scheduler` may be null (serve --no-probe): targets are
// then kept but not probed.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "probe/price_table.h"
#include "probe/scheduler.h"
#include "probe/target.h"
#include "settings/secret_box.h"
#include "store/store.h"

namespace llmscope::targets {

inline constexpr const char* kTargetKind = "target";

struct TargetServiceOptions {
  std::vector<probe::Target> file_targets;  // complete; listed with source "file"
  std::string config_file;                  // named when a file target is changed
  std::optional<probe::Target> demo;        // probed while there is no other target
  // The prices calls are costed at: the live table the price routes change.
  probe::PriceTable prices = probe::PriceTable::Defaults();
};

// One target as the API shows it.
struct TargetEntry {
  std::string id;
  probe::Target target;  // api_key always empty
  bool from_file = false;
  int64_t version = 0;  // 0 for a file target
  bool key_set = false;
  std::optional<probe::TargetStats> stats;  // while the scheduler probes it
};

class TargetService {
 public:
  using Log = std::function<void(const std::string& line)>;
  // `changed` is called after each change made here (SettingsWatcher::Poke).
  TargetService(store::Store& store, const settings::SecretBox& secrets,
                probe::ProbeScheduler* scheduler, TargetServiceOptions options,
                std::function<void()> changed, Log log);

  // File targets first, then the stored ones by id.
  Result<std::vector<TargetEntry>> List();
  // Whether the demo target is being probed now.
  bool DemoProbing() const;
  // "not_found" for an unknown id.
  Result<TargetEntry> Get(const std::string& id);
  // Its id is TargetIdOf(name). "invalid_field"/"invalid_json" (nothing saved), "conflict" when
  // the id is taken (by a file target: the message names the file).
  Result<TargetEntry> Create(std::string_view body, const std::string& actor, int64_t now_ms);
  // The body's "version", else `if_match`, must be the stored version ("conflict" when another
  // change came first; "missing_field" when neither is given).
  Result<TargetEntry> Update(const std::string& id, std::string_view body,
                             std::optional<int64_t> if_match, const std::string& actor,
                             int64_t now_ms);
  Status Delete(const std::string& id, const std::string& actor, int64_t now_ms);

  // One call to a saved target, or to the target a body describes (saved or not: nothing is
  // stored); the sample, whose error says what went wrong. Calls are bounded to 30 s.
  Result<Sample> Test(const std::string& id);
  Result<Sample> TestBody(std::string_view body);

  // Brings the scheduler in line with the stored targets (the watcher's listener).
  void ApplyStored();

 private:
  const probe::Target* FileTarget(const std::string& id) const;
  Error FileConflict(const std::string& id) const;
  Result<probe::Target> Openable(const std::string& body) const;  // stored body → with api_key
  Result<TargetEntry> EntryOf(const store::SettingRecord& record) const;
  std::optional<probe::TargetStats> StatsOf(const std::string& key) const;
  Result<Sample> Call(probe::Target target) const;

  store::Store& store_;
  const settings::SecretBox& secrets_;
  probe::ProbeScheduler* scheduler_;
  const TargetServiceOptions options_;
  const std::function<void()> changed_;
  const Log log_;

  mutable std::mutex mu_;                   // guards what ApplyStored changes
  std::map<std::string, int64_t> applied_;  // stored id → version put in the scheduler
  bool demo_probing_ = false;
};

// The scheduler's key of a stored target.
std::string StoredTargetKey(const std::string& id);

}  // namespace llmscope::targets

#include "targets/target_service.h"

#include <algorithm>
#include <set>

#include "probe/price_table.h"
#include "probe/provider_factory.h"
#include "targets/target_json.h"

namespace llmscope::targets {
namespace {

constexpr double kTestCallLimitS = 30;

}  // namespace

std::string StoredTargetKey(const std::string& id) {
  return "store:" + id;
}

TargetService::TargetService(store::Store& store, const settings::SecretBox& secrets,
                             probe::ProbeScheduler* scheduler, TargetServiceOptions options,
                             std::function<void()> changed, Log log)
    : store_(store),
      secrets_(secrets),
      scheduler_(scheduler),
      options_(std::move(options)),
      changed_(std::move(changed)),
      log_(std::move(log)),
      // serve starts the scheduler with the demo when the file names no target
      demo_probing_(scheduler != nullptr && options_.demo.has_value()) {}

const probe::Target* TargetService::FileTarget(const std::string& id) const {
  for (const probe::Target& t : options_.file_targets) {
    if (TargetIdOf(t.name) == id) return &t;
  }
  return nullptr;
}

Error TargetService::FileConflict(const std::string& id) const {
  const std::string file = options_.config_file.empty() ? "the config file" : options_.config_file;
  return Error{"conflict", "target '" + id + "' is defined in " + file +
                               " and can only be changed there"};
}

std::optional<probe::TargetStats> TargetService::StatsOf(const std::string& key) const {
  if (scheduler_ == nullptr) return std::nullopt;
  for (probe::TargetStats& s : scheduler_->stats()) {
    if (s.key == key) return s;
  }
  return std::nullopt;
}

Result<TargetEntry> TargetService::EntryOf(const store::SettingRecord& record) const {
  Result<StoredTarget> stored = ParseStoredTarget(record.body);
  if (!stored) return Error{"internal", "stored target '" + record.id + "': " + stored.error().message};
  TargetEntry e;
  e.id = record.id;
  e.target = std::move(stored->target);
  e.version = record.version;
  e.key_set = !stored->key_sealed.empty();
  e.stats = StatsOf(StoredTargetKey(record.id));
  return e;
}

Result<std::vector<TargetEntry>> TargetService::List() {
  std::vector<TargetEntry> out;
  for (const probe::Target& t : options_.file_targets) {
    TargetEntry e;
    e.id = TargetIdOf(t.name);
    e.target = t;
    e.target.api_key.clear();
    e.from_file = true;
    e.stats = StatsOf(t.name);
    out.push_back(std::move(e));
  }
  Result<std::vector<store::SettingRecord>> stored = store_.ListSettings(kTargetKind);
  if (!stored) return stored.error();
  for (const store::SettingRecord& r : *stored) {
    Result<TargetEntry> e = EntryOf(r);
    if (!e) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

bool TargetService::DemoProbing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return demo_probing_;
}

Result<TargetEntry> TargetService::Get(const std::string& id) {
  if (const probe::Target* t = FileTarget(id)) {
    TargetEntry e;
    e.id = id;
    e.target = *t;
    e.from_file = true;
    e.stats = StatsOf(t->name);
    return e;
  }
  Result<std::optional<store::SettingRecord>> r = store_.GetSetting(kTargetKind, id);
  if (!r) return r.error();
  if (!*r) return Error{"not_found", "no target '" + id + "'"};
  return EntryOf(**r);
}

Result<TargetEntry> TargetService::Create(std::string_view body, const std::string& actor,
                                          int64_t now_ms) {
  Result<TargetInput> in = ParseTargetInput(body);
  if (!in) return in.error();
  const std::string id = TargetIdOf(in->target.name);
  if (id.empty()) return Error{"invalid_field", "name: must hold a letter or digit"};
  if (FileTarget(id) != nullptr) return FileConflict(id);
  const std::string sealed = in->key && !in->key->empty() ? secrets_.Seal(*in->key) : "";
  store::SettingWrite w;
  w.kind = kTargetKind;
  w.id = id;
  w.body = StoredTargetBody(in->target, sealed);
  w.audit_body = AuditTargetBody(in->target, !sealed.empty());
  w.actor = actor;
  w.now_ms = now_ms;
  w.expected_version = 0;
  Result<store::SettingRecord> put = store_.PutSetting(w);
  if (!put) {
    if (put.error().code == "conflict") {
      return Error{"conflict", "a target with id '" + id + "' exists: change it with PUT"};
    }
    return put.error();
  }
  changed_();
  return EntryOf(*put);
}

Result<TargetEntry> TargetService::Update(const std::string& id, std::string_view body,
                                          std::optional<int64_t> if_match,
                                          const std::string& actor, int64_t now_ms) {
  if (FileTarget(id) != nullptr) return FileConflict(id);
  Result<TargetInput> in = ParseTargetInput(body);
  if (!in) return in.error();
  const std::optional<int64_t> version = in->version ? in->version : if_match;
  if (!version) {
    return Error{"missing_field",
                 "version: send the version the change was made against (or If-Match)"};
  }
  Result<std::optional<store::SettingRecord>> current = store_.GetSetting(kTargetKind, id);
  if (!current) return current.error();
  if (!*current) return Error{"not_found", "no target '" + id + "'"};
  std::string sealed;
  if (in->key) {
    if (!in->key->empty()) sealed = secrets_.Seal(*in->key);
  } else {
    Result<StoredTarget> before = ParseStoredTarget((*current)->body);
    if (before) sealed = before->key_sealed;
  }
  store::SettingWrite w;
  w.kind = kTargetKind;
  w.id = id;
  w.body = StoredTargetBody(in->target, sealed);
  w.audit_body = AuditTargetBody(in->target, !sealed.empty());
  w.actor = actor;
  w.now_ms = now_ms;
  w.expected_version = *version;
  Result<store::SettingRecord> put = store_.PutSetting(w);
  if (!put) {
    if (put.error().code == "conflict") {
      return Error{"conflict", "target '" + id + "' changed since version " +
                                   std::to_string(*version) + ": reload it and try again"};
    }
    return put.error();
  }
  changed_();
  return EntryOf(*put);
}

Status TargetService::Delete(const std::string& id, const std::string& actor, int64_t now_ms) {
  if (FileTarget(id) != nullptr) return FileConflict(id);
  Status s = store_.DeleteSetting(kTargetKind, id, actor, now_ms);
  if (!s) {
    if (s.error().code == "not_found") return Error{"not_found", "no target '" + id + "'"};
    return s;
  }
  changed_();
  return {};
}

Result<probe::Target> TargetService::Openable(const std::string& body) const {
  Result<StoredTarget> stored = ParseStoredTarget(body);
  if (!stored) return stored.error();
  if (!stored->key_sealed.empty()) {
    Result<std::string> key = secrets_.Open(stored->key_sealed);
    if (!key) {
      return Error{key.error().code,
                   "its key cannot be opened with this server's secret key file: " +
                       key.error().message};
    }
    stored->target.api_key = std::move(*key);
  }
  return std::move(stored->target);
}

Result<Sample> TargetService::Call(probe::Target target) const {
  target.timeout_s = std::min(target.timeout_s, kTestCallLimitS);
  target.first_byte_timeout_s = std::min(target.first_byte_timeout_s, kTestCallLimitS);
  Result<std::unique_ptr<probe::Provider>> provider =
      probe::MakeProvider(target, options_.prices);
  if (!provider) return Error{"invalid_field", provider.error().message};
  return (*provider)->Call(target.profiles.front());
}

Result<Sample> TargetService::Test(const std::string& id) {
  if (const probe::Target* t = FileTarget(id)) return Call(*t);
  Result<std::optional<store::SettingRecord>> r = store_.GetSetting(kTargetKind, id);
  if (!r) return r.error();
  if (!*r) return Error{"not_found", "no target '" + id + "'"};
  Result<probe::Target> target = Openable((*r)->body);
  if (!target) return target.error();
  return Call(std::move(*target));
}

Result<Sample> TargetService::TestBody(std::string_view body) {
  Result<TargetInput> in = ParseTargetInput(body);
  if (!in) return in.error();
  if (in->key) in->target.api_key = *in->key;
  return Call(std::move(in->target));
}

void TargetService::ApplyStored() {
  if (scheduler_ == nullptr) return;
  Result<std::vector<store::SettingRecord>> stored = store_.ListSettings(kTargetKind);
  if (!stored) {
    log_("reading the stored targets failed (retrying at the next change): " +
         stored.error().message);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> seen;
  for (const store::SettingRecord& r : *stored) {
    seen.insert(r.id);
    auto applied = applied_.find(r.id);
    if (applied != applied_.end() && applied->second == r.version) continue;
    Result<probe::Target> target = Openable(r.body);
    Result<std::unique_ptr<probe::Provider>> provider =
        target ? probe::MakeProvider(*target, options_.prices)
               : Result<std::unique_ptr<probe::Provider>>(target.error());
    if (!provider) {
      log_("stored target '" + r.id + "' is not probed: " + provider.error().message);
      scheduler_->Remove(StoredTargetKey(r.id));
      applied_[r.id] = r.version;
      continue;
    }
    log_(std::string(applied == applied_.end() ? "probing" : "changed") + " stored target '" +
         r.id + "' (" + target->name + " every " + std::to_string(target->interval_s) + " s)");
    scheduler_->Put(StoredTargetKey(r.id), {std::move(*target), std::move(*provider)});
    applied_[r.id] = r.version;
  }
  for (auto it = applied_.begin(); it != applied_.end();) {
    if (seen.contains(it->first)) {
      ++it;
      continue;
    }
    log_("stopped probing deleted target '" + it->first + "'");
    scheduler_->Remove(StoredTargetKey(it->first));
    it = applied_.erase(it);
  }
  if (!options_.demo) return;
  const bool want_demo = applied_.empty();
  if (want_demo == demo_probing_) return;
  if (want_demo) {
    Result<std::unique_ptr<probe::Provider>> provider =
        probe::MakeProvider(*options_.demo, options_.prices);
    if (provider) scheduler_->Put(options_.demo->name, {*options_.demo, std::move(*provider)});
  } else {
    scheduler_->Remove(options_.demo->name);
  }
  demo_probing_ = want_demo;
}

}  // namespace llmscope::targets

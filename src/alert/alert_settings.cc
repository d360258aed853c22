#include "alert/alert_settings.h"

#include <algorithm>

namespace llmscope::alert {
namespace {

using Json = nlohmann::json;

Error Invalid(const std::string& field, const std::string& what) {
  return Error{"invalid_field", field + ": " + what};
}

// A Validate* error ("config_value", "name: ...") as the API's 400.
Status AsInvalidField(Status s) {
  if (!s && s.error().code == "config_value") return Error{"invalid_field", s.error().message};
  return s;
}

std::string FileRouteName(size_t index) {
  return "file-" + std::to_string(index);
}
std::string FileMuteName(const MuteWindow& m, size_t index) {
  return m.name.empty() ? "file-" + std::to_string(index) : m.name;
}

// The sealed secret after a request: kept (not given), cleared (""), or sealed anew.
std::optional<std::string> NextSealed(const std::optional<std::string>& given,
                                      const std::optional<std::string>& stored, bool applies,
                                      const settings::SecretBox& box) {
  if (!applies) return std::nullopt;
  if (!given) return stored;
  if (given->empty()) return std::nullopt;
  return box.Seal(*given);
}

}  // namespace

const char* ItemSourceName(ItemSource source) {
  return source == ItemSource::kFile ? "file" : "store";
}

AlertSettings::AlertSettings(store::Store& store, const settings::SecretBox& box, AlertConfig file,
                             std::string file_path, AlertService& service, EnvLookup env,
                             Clock clock, Log log)
    : store_(store),
      box_(box),
      file_(std::move(file)),
      file_path_(std::move(file_path)),
      service_(service),
      env_(std::move(env)),
      clock_(std::move(clock)),
      log_(std::move(log)) {}

Status AlertSettings::FileConflict(const char* what, const std::string& name, bool in_file) const {
  if (!in_file) return {};
  return Error{"conflict", std::string(what) + " '" + name + "' is defined in the config file " +
                               file_path_ + "; change it there"};
}

Result<std::vector<StoredSink>> AlertSettings::StoredSinks() {
  Result<std::vector<store::SettingRecord>> rows = store_.ListSettings(kSinkKind);
  if (!rows) return rows.error();
  std::vector<StoredSink> out;
  for (const store::SettingRecord& r : *rows) {
    Result<StoredSink> sink = ParseSinkBody(r.body);
    if (!sink) {
      log_("alert: stored sink '" + r.id + "' is unreadable: " + sink.error().message);
      continue;
    }
    out.push_back(std::move(*sink));
  }
  return out;
}

Result<std::vector<SinkItem>> AlertSettings::Sinks() {
  std::vector<SinkItem> out;
  for (const SinkConfig& s : file_.sinks) out.push_back({s, {}, ItemSource::kFile, 0});
  Result<std::vector<store::SettingRecord>> rows = store_.ListSettings(kSinkKind);
  if (!rows) return rows.error();
  for (const store::SettingRecord& r : *rows) {
    Result<StoredSink> sink = ParseSinkBody(r.body);
    if (!sink) return sink.error();
    out.push_back({sink->config, SecretsPresent(sink->sealed), ItemSource::kStore, r.version});
  }
  return out;
}

Result<std::vector<RouteItem>> AlertSettings::Routes() {
  std::vector<RouteItem> out;
  for (size_t i = 0; i < file_.routes.size(); ++i) {
    out.push_back({{FileRouteName(i), file_.routes[i]}, ItemSource::kFile, 0});
  }
  Result<std::vector<store::SettingRecord>> rows = store_.ListSettings(kRouteKind);
  if (!rows) return rows.error();
  for (const store::SettingRecord& r : *rows) {
    Result<NamedRoute> route = ParseRouteJson(Json::parse(r.body, nullptr, false));
    if (!route) return Error{"storage_error", "route '" + r.id + "': " + route.error().message};
    out.push_back({std::move(*route), ItemSource::kStore, r.version});
  }
  return out;
}

Result<std::vector<MuteItem>> AlertSettings::Mutes() {
  std::vector<MuteItem> out;
  for (size_t i = 0; i < file_.mutes.size(); ++i) {
    MuteWindow m = file_.mutes[i];
    m.name = FileMuteName(m, i);
    out.push_back({std::move(m), ItemSource::kFile, 0});
  }
  Result<std::vector<store::SettingRecord>> rows = store_.ListSettings(kMuteKind);
  if (!rows) return rows.error();
  for (const store::SettingRecord& r : *rows) {
    Result<MuteWindow> mute = ParseMuteJson(Json::parse(r.body, nullptr, false));
    if (!mute) return Error{"storage_error", "mute '" + r.id + "': " + mute.error().message};
    out.push_back({std::move(*mute), ItemSource::kStore, r.version});
  }
  return out;
}

Result<SinkItem> AlertSettings::PutSink(const SinkRequest& request, const ChangeContext& change) {
  std::lock_guard<std::mutex> lock(mu_);
  const SinkConfig& config = request.config;
  if (!ValidItemName(config.name)) return Invalid("name", "1..64 characters of A-Z a-z 0-9 _ - .");
  if (Status s = FileConflict("sink", config.name, file_.FindSink(config.name) != nullptr); !s) {
    return s.error();
  }
  Result<std::optional<store::SettingRecord>> existing = store_.GetSetting(kSinkKind, config.name);
  if (!existing) return existing.error();
  SinkSecretValues stored;
  if (*existing) {
    Result<StoredSink> old = ParseSinkBody((*existing)->body);
    if (old) stored = old->sealed;
  }
  StoredSink next{config, {}};
  next.sealed.url =
      NextSealed(request.secrets.url, stored.url, config.type == SinkType::kSlack, box_);
  next.sealed.secret =
      NextSealed(request.secrets.secret, stored.secret, config.type == SinkType::kWebhook, box_);
  next.sealed.routing_key = NextSealed(request.secrets.routing_key, stored.routing_key,
                                       config.type == SinkType::kPagerDuty, box_);
  next.sealed.password =
      NextSealed(request.secrets.password, stored.password, config.type == SinkType::kEmail, box_);
  const StoredSecrets present = SecretsPresent(next.sealed);
  if (Status s = AsInvalidField(ValidateSink(config, "", present)); !s) return s.error();

  Result<int64_t> version =
      WriteAndApply(kSinkKind, config.name, SinkBody(next), SinkView(config, present).dump(),
                    change);
  if (!version) return version.error();
  return SinkItem{config, present, ItemSource::kStore, *version};
}

Result<RouteItem> AlertSettings::PutRoute(const NamedRoute& route, const ChangeContext& change) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!ValidItemName(route.name)) return Invalid("name", "1..64 characters of A-Z a-z 0-9 _ - .");
  bool in_file = false;
  for (size_t i = 0; i < file_.routes.size(); ++i) in_file |= FileRouteName(i) == route.name;
  if (Status s = FileConflict("route", route.name, in_file); !s) return s.error();
  Result<std::vector<StoredSink>> stored = StoredSinks();
  if (!stored) return stored.error();
  for (const std::string& sink : route.route.sinks) {
    const bool known = file_.FindSink(sink) != nullptr ||
                       std::any_of(stored->begin(), stored->end(),
                                   [&](const StoredSink& s) { return s.config.name == sink; });
    if (!known) return Invalid("sinks", "no sink is named '" + sink + "'");
  }
  Result<int64_t> version =
      WriteAndApply(kRouteKind, route.name, RouteJson(route).dump(), "", change);
  if (!version) return version.error();
  return RouteItem{route, ItemSource::kStore, *version};
}

Result<MuteItem> AlertSettings::PutMute(const MuteWindow& mute, const ChangeContext& change) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!ValidItemName(mute.name)) return Invalid("name", "1..64 characters of A-Z a-z 0-9 _ - .");
  bool in_file = false;
  for (size_t i = 0; i < file_.mutes.size(); ++i) {
    in_file |= FileMuteName(file_.mutes[i], i) == mute.name;
  }
  if (Status s = FileConflict("mute window", mute.name, in_file); !s) return s.error();
  if (Status s = AsInvalidField(ValidateMute(mute, "")); !s) return s.error();
  Result<int64_t> version =
      WriteAndApply(kMuteKind, mute.name, MuteJson(mute).dump(), "", change);
  if (!version) return version.error();
  return MuteItem{mute, ItemSource::kStore, *version};
}

Status AlertSettings::Delete(const char* kind, const std::string& name, const std::string& actor) {
  if (Status s = store_.DeleteSetting(kind, name, actor, clock_()); !s) return s;
  return ApplyLocked();
}

Status AlertSettings::DeleteSink(const std::string& name, const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = FileConflict("sink", name, file_.FindSink(name) != nullptr); !s) return s;
  Result<std::vector<RouteItem>> routes = Routes();
  if (!routes) return routes.error();
  for (const RouteItem& r : *routes) {
    const std::vector<std::string>& sinks = r.route.route.sinks;
    if (std::find(sinks.begin(), sinks.end(), name) != sinks.end()) {
      return Error{"conflict", "route '" + r.route.name + "' sends to sink '" + name +
                                   "'; change or delete the route first"};
    }
  }
  return Delete(kSinkKind, name, actor);
}

Status AlertSettings::DeleteRoute(const std::string& name, const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  bool in_file = false;
  for (size_t i = 0; i < file_.routes.size(); ++i) in_file |= FileRouteName(i) == name;
  if (Status s = FileConflict("route", name, in_file); !s) return s;
  return Delete(kRouteKind, name, actor);
}

Status AlertSettings::DeleteMute(const std::string& name, const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  bool in_file = false;
  for (size_t i = 0; i < file_.mutes.size(); ++i) {
    in_file |= FileMuteName(file_.mutes[i], i) == name;
  }
  if (Status s = FileConflict("mute window", name, in_file); !s) return s;
  return Delete(kMuteKind, name, actor);
}

Result<std::string> AlertSettings::SendTest(const std::string& sink) {
  return service_.outbox().EnqueueTest(sink);
}

Result<std::optional<store::DeliveryRecord>> AlertSettings::TestDelivery(const std::string& key) {
  // One indexed row; test alerts' keys ("test/…") are never a violation's ("v<id>/…").
  return store_.DeliveryWithKey(key);
}

Status AlertSettings::Apply() {
  std::lock_guard<std::mutex> lock(mu_);
  return ApplyLocked();
}

Result<int64_t> AlertSettings::WriteAndApply(const char* kind, const std::string& id,
                                             std::string body, std::string audit_body,
                                             const ChangeContext& change) {
  store::SettingWrite write;
  write.kind = kind;
  write.id = id;
  write.body = std::move(body);
  write.audit_body = std::move(audit_body);
  write.actor = change.actor;
  write.now_ms = clock_();
  write.expected_version = change.expected_version;
  Result<store::SettingRecord> written = store_.PutSetting(write);
  if (!written) return written.error();
  if (Status s = ApplyLocked(); !s) return s.error();
  return written->version;
}

Status AlertSettings::ApplyLocked() {
  AlertConfig config = file_;
  AlertDispatcher::SinkMap sinks;
  for (const SinkConfig& s : file_.sinks) {
    Result<std::unique_ptr<AlertSink>> sink = MakeSink(s, env_);
    if (sink) sinks.emplace(s.name, std::move(*sink));
  }
  Result<std::vector<StoredSink>> stored = StoredSinks();
  if (!stored) return stored.error();
  for (const StoredSink& s : *stored) {
    config.sinks.push_back(s.config);
    Result<SinkSecrets> secrets = ResolveSinkSecrets(s.config, env_);
    auto open = [&](const std::optional<std::string>& sealed, std::string& out) -> Status {
      if (!sealed) return {};
      Result<std::string> plain = box_.Open(*sealed);
      if (!plain) return plain.error();
      out = std::move(*plain);
      return {};
    };
    Status opened = secrets ? Status() : Status(secrets.error());
    if (opened) opened = open(s.sealed.url, secrets->url);
    if (opened) opened = open(s.sealed.secret, secrets->secret);
    if (opened) opened = open(s.sealed.routing_key, secrets->routing_key);
    if (opened) opened = open(s.sealed.password, secrets->password);
    if (!opened) {
      log_("alert: sink '" + s.config.name + "' left out: " + opened.error().message);
      continue;
    }
    sinks.emplace(s.config.name, MakeSink(s.config, std::move(*secrets)));
  }
  Result<std::vector<RouteItem>> routes = Routes();
  if (!routes) return routes.error();
  config.routes.clear();
  for (const RouteItem& r : *routes) config.routes.push_back(r.route.route);
  Result<std::vector<MuteItem>> mutes = Mutes();
  if (!mutes) return mutes.error();
  config.mutes.clear();
  for (const MuteItem& m : *mutes) config.mutes.push_back(m.mute);
  service_.Reconfigure(config, std::move(sinks));
  return {};
}

}  // namespace llmscope::alert

#include "server/alert_settings_routes.h"

#include "http/router.h"
#include "server/alert_routes.h"
#include "server/http_reply.h"

namespace llmscope::server {
namespace {

constexpr char kNamePattern[] = "([A-Za-z0-9_.-]{1,64})";
constexpr char kActor[] = "api-key";

Json WithSource(Json view, alert::ItemSource source, int64_t version) {
  view["source"] = alert::ItemSourceName(source);
  if (source == alert::ItemSource::kStore) view["version"] = version;
  return view;
}

Json ItemJson(const alert::SinkItem& i) {
  return WithSource(alert::SinkView(i.config, i.secrets), i.source, i.version);
}
Json ItemJson(const alert::RouteItem& i) {
  return WithSource(alert::RouteJson(i.route), i.source, i.version);
}
Json ItemJson(const alert::MuteItem& i) {
  return WithSource(alert::MuteJson(i.mute), i.source, i.version);
}
const std::string& ItemName(const alert::SinkItem& i) {
  return i.config.name;
}
const std::string& ItemName(const alert::RouteItem& i) {
  return i.route.name;
}
const std::string& ItemName(const alert::MuteItem& i) {
  return i.mute.name;
}

// The body of a POST or PUT: a JSON object, its "version" taken out as the change's expected
// version, its "name" set from the path (PUT) or checked against it.
Result<Json> ChangeBody(const http::Request& req, const std::string* path_name,
                        alert::ChangeContext& change) {
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json", "the body must be a JSON object"};
  }
  change.actor = kActor;
  if (body.contains("version")) {
    const Json& v = body["version"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      return Error{"invalid_field", "version: the version this change replaces (1, 2, ...)"};
    }
    change.expected_version = v.get<int64_t>();
    body.erase("version");
  }
  body.erase("source");
  if (path_name != nullptr) {
    if (body.contains("name") && body["name"] != *path_name) {
      return Error{"invalid_field", "name: must be the name in the path, '" + *path_name + "'"};
    }
    body["name"] = *path_name;
  } else {
    change.expected_version = 0;  // POST creates
  }
  return body;
}

// What a kind of item gives the generic routes below.
template <typename Item, typename Parsed>
struct ItemKind {
  std::string path;      // "/api/alerts/sinks"
  std::string list_key;  // "sinks"
  std::string what;      // "sink"
  std::function<Result<std::vector<Item>>()> list;
  std::function<Result<Parsed>(const Json&)> parse;
  std::function<Result<Item>(const Parsed&, const alert::ChangeContext&)> put;
  std::function<Status(const std::string&)> remove;
};

template <typename Item, typename Parsed>
void RegisterItemRoutes(http::Router& router, const ItemKind<Item, Parsed>& kind) {
  router.Get(kind.path, [kind](const http::Request&, http::Response& res) {
    Result<std::vector<Item>> items = kind.list();
    if (!items) return SendError(res, items.error());
    Json list = Json::array();
    for (const Item& i : *items) list.push_back(ItemJson(i));
    SendJson(res, 200, Json{{kind.list_key, list}});
  });
  auto change = [kind](const http::Request& req, http::Response& res, const std::string* name) {
    alert::ChangeContext context;
    Result<Json> body = ChangeBody(req, name, context);
    if (!body) return SendError(res, body.error());
    Result<Parsed> parsed = kind.parse(*body);
    if (!parsed) return SendError(res, parsed.error());
    Result<Item> stored = kind.put(*parsed, context);
    if (!stored) return SendError(res, stored.error());
    SendJson(res, name == nullptr ? 201 : 200, ItemJson(*stored));
  };
  router.Post(kind.path, [change](const http::Request& req, http::Response& res) {
    change(req, res, nullptr);
  });
  const std::string item_path = kind.path + "/" + kNamePattern;
  router.Put(item_path, [change](const http::Request& req, http::Response& res) {
    change(req, res, &req.matches[1]);
  });
  router.Get(item_path, [kind](const http::Request& req, http::Response& res) {
    Result<std::vector<Item>> items = kind.list();
    if (!items) return SendError(res, items.error());
    for (const Item& i : *items) {
      if (ItemName(i) == req.matches[1]) return SendJson(res, 200, ItemJson(i));
    }
    SendError(res, Error{"not_found", "no " + kind.what + " named '" + req.matches[1] + "'"});
  });
  router.Delete(item_path, [kind](const http::Request& req, http::Response& res) {
    if (Status s = kind.remove(req.matches[1]); !s) return SendError(res, s.error());
    SendJson(res, 200, Json{{"name", req.matches[1]}, {"deleted", true}});
  });
}

}  // namespace

void RegisterAlertSettingsRoutes(http::Router& router, alert::AlertSettings& settings) {
  alert::AlertSettings* s = &settings;
  RegisterItemRoutes(router,
                     ItemKind<alert::SinkItem, alert::SinkRequest>{
                         "/api/alerts/sinks", "sinks", "sink", [s] { return s->Sinks(); },
                         [](const Json& b) { return alert::ParseSinkRequest(b); },
                         [s](const alert::SinkRequest& r, const alert::ChangeContext& c) {
                           return s->PutSink(r, c);
                         },
                         [s](const std::string& name) { return s->DeleteSink(name, kActor); }});
  RegisterItemRoutes(router,
                     ItemKind<alert::RouteItem, alert::NamedRoute>{
                         "/api/alerts/routes", "routes", "route", [s] { return s->Routes(); },
                         [](const Json& b) { return alert::ParseRouteJson(b); },
                         [s](const alert::NamedRoute& r, const alert::ChangeContext& c) {
                           return s->PutRoute(r, c);
                         },
                         [s](const std::string& name) { return s->DeleteRoute(name, kActor); }});
  RegisterItemRoutes(router,
                     ItemKind<alert::MuteItem, alert::MuteWindow>{
                         "/api/alerts/mutes", "mutes", "mute window", [s] { return s->Mutes(); },
                         [](const Json& b) { return alert::ParseMuteJson(b); },
                         [s](const alert::MuteWindow& m, const alert::ChangeContext& c) {
                           return s->PutMute(m, c);
                         },
                         [s](const std::string& name) { return s->DeleteMute(name, kActor); }});

  router.Post(std::string("/api/alerts/sinks/") + kNamePattern + "/test",
              [s](const http::Request& req, http::Response& res) {
                Result<std::string> key = s->SendTest(req.matches[1]);
                if (!key) return SendError(res, key.error());
                SendJson(res, 202, Json{{"key", *key}, {"sink", req.matches[1]}});
              });
  router.Get("/api/alerts/test", [s](const http::Request& req, http::Response& res) {
    auto key = req.params.find("key");
    if (key == req.params.end() || key->second.rfind("test/", 0) != 0) {
      return SendError(res, Error{"invalid_parameter", "key: the key of a test alert"});
    }
    Result<std::optional<store::DeliveryRecord>> row = s->TestDelivery(key->second);
    if (!row) return SendError(res, row.error());
    if (!*row) return SendError(res, Error{"not_found", "no test alert with that key"});
    SendJson(res, 200, DeliveryJson(**row));
  });
}

}  // namespace llmscope::server

#include "server/http_api.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "core/time_format.h"
#include "server/alert_routes.h"
#include "server/api_key.h"
#include "server/http_reply.h"
#include "server/dashboard_routes.h"
#include "server/json_views.h"
#include "server/prometheus_metrics.h"
#include "server/recent_samples.h"
#include "server/response_encoding.h"
#include "server/spc_view.h"
#include "server/sse_hub.h"
#include "store/record_csv.h"
#include "server/static_assets.h"

namespace llmscope::server {
namespace {

using httplib::Request;
using httplib::Response;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A query parameter parsed as a number; `bad` is set (with a 400 sent) when it is not one.
template <typename T>
std::optional<T> NumberParam(const Request& req, const char* name, Response& res, bool& bad) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string v = req.get_param_value(name);
  T out{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    SendError(res, 400, "invalid_parameter", std::string(name) + ": '" + v + "' is not a number");
    bad = true;
    return std::nullopt;
  }
  return out;
}

std::optional<int64_t> TimeParam(const Request& req, const char* name, Response& res, bool& bad) {
  if (!req.has_param(name)) return std::nullopt;
  std::optional<int64_t> t = ParseIsoUtc(req.get_param_value(name));
  if (!t) {
    SendError(res, 400, "invalid_parameter", std::string(name) + ": not an ISO 8601 time");
    bad = true;
  }
  return t;
}

std::string Param(const Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

// Filters shared by GET /api/violations and the CSV export. `severity` (a comma list) selects
// the rules whose severity, with the config's overrides, is one of those named.
std::optional<store::ViolationQuery> ViolationFilters(const Request& req, Response& res,
                                                      const alert::SeverityOverrides& severities) {
  store::ViolationQuery q;
  q.context = store::ViolationQuery::Context::kNone;  // the list shows none of it
  if (req.has_param("provider")) q.provider = Param(req, "provider");
  if (req.has_param("model")) q.model = Param(req, "model");
  if (req.has_param("metric")) {
    q.metric = ParseMetric(Param(req, "metric"));
    if (!q.metric) {
      SendError(res, 400, "invalid_parameter", "metric: unknown '" + Param(req, "metric") + "'");
      return std::nullopt;
    }
  }
  if (req.has_param("rule")) {
    q.rule = spc::ParseRuleName(Param(req, "rule"));
    if (!q.rule) {
      SendError(res, 400, "invalid_parameter", "rule: unknown '" + Param(req, "rule") + "'");
      return std::nullopt;
    }
  }
  if (req.has_param("severity")) {
    std::vector<alert::Severity> wanted;
    const std::string list = Param(req, "severity");
    size_t start = 0;
    while (start <= list.size()) {
      const size_t comma = std::min(list.find(',', start), list.size());
      const std::string name = list.substr(start, comma - start);
      start = comma + 1;
      if (name.empty()) continue;
      std::optional<alert::Severity> s = alert::ParseSeverity(name);
      if (!s) {
        SendError(res, 400, "invalid_parameter",
                  "severity: unknown '" + name + "' (critical, warning, info)");
        return std::nullopt;
      }
      wanted.push_back(*s);
    }
    q.rules = alert::RulesOfSeverity(wanted, severities);
  }
  if (req.has_param("status")) {
    q.status = store::ParseViolationStatus(Param(req, "status"));
    if (!q.status) {
      SendError(res, 400, "invalid_parameter",
                "status: '" + Param(req, "status") + "' (open, acknowledged, resolved)");
      return std::nullopt;
    }
  }
  if (req.has_param("phase")) {
    const std::string p = Param(req, "phase");
    if (p != "baseline" && p != "monitoring") {
      SendError(res, 400, "invalid_parameter", "phase: baseline or monitoring");
      return std::nullopt;
    }
    q.phase = p == "baseline" ? spc::Phase::kBaseline : spc::Phase::kMonitoring;
  }
  bool bad = false;
  if (auto t = TimeParam(req, "since", res, bad)) q.since_ms = *t;
  if (auto t = TimeParam(req, "until", res, bad)) q.until_ms = *t;
  if (auto hours = NumberParam<double>(req, "hours", res, bad)) {
    q.since_ms = NowMs() - static_cast<int64_t>(*hours * 3600000.0);
  }
  auto limit = NumberParam<int64_t>(req, "limit", res, bad);
  if (bad) return std::nullopt;
  if (limit) {
    if (*limit < 1 || *limit > 100000) {
      SendError(res, 400, "invalid_parameter", "limit: 1..100000");
      return std::nullopt;
    }
    q.limit = *limit;
  }
  return q;
}

}  // namespace

HttpApi::HttpApi(const HttpOptions& options, monitor::SeriesMonitor& monitor, store::Store& store,
                 std::string api_key, telemetry::HostTelemetry& telemetry)
    : options_(options),
      monitor_(monitor),
      store_(store),
      api_key_(std::move(api_key)),
      telemetry_(telemetry),
      http_(std::make_unique<httplib::Server>()),
      hub_(std::make_unique<SseHub>(options.max_stream_clients, options.stream_queue_frames)),
      metrics_(std::make_unique<PrometheusMetrics>(PrometheusMetrics::kDefaultMaxSources,
                                                   options.severities)),
      recent_(std::make_unique<RecentSamples>(options.recent_samples_per_source)) {
  const int threads = options.api_threads + options.max_stream_clients;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without TCP_NODELAY a keep-alive client waits on Nagle + delayed ACK (~40 requests/s).
  http_->set_tcp_nodelay(true);
  http_->set_payload_max_length(options.body_limit);
  http_->set_keep_alive_max_count(100000);
  http_->set_read_timeout(10, 0);
  monitor_.AddListener([this](const std::vector<monitor::MonitorEvent>& events) {
    metrics_->Observe(events);
    std::vector<const Sample*> samples;
    for (const monitor::MonitorEvent& e : events) {
      if (e.kind == monitor::MonitorEvent::Kind::kSample) samples.push_back(&e.sample);
    }
    recent_->Add(samples);
    if (hub_->clients() == 0) return;
    for (const monitor::MonitorEvent& e : events) {
      switch (e.kind) {
        case monitor::MonitorEvent::Kind::kSample:
          hub_->Broadcast(SseHub::Frame("sample", SampleJson(e.sample).dump()));
          break;
        case monitor::MonitorEvent::Kind::kViolationOpened:
        case monitor::MonitorEvent::Kind::kViolationUpdated:
        case monitor::MonitorEvent::Kind::kViolationStatus: {
          Json v = ViolationJson(e.violation, false, options_.severities);
          v["change"] = e.kind == monitor::MonitorEvent::Kind::kViolationOpened    ? "opened"
                        : e.kind == monitor::MonitorEvent::Kind::kViolationUpdated ? "updated"
                                                                                   : "status";
          hub_->Broadcast(SseHub::Frame("violation", v.dump()));
          break;
        }
        case monitor::MonitorEvent::Kind::kStageChanged: {
          Json s = StageJson(e.stage, monitor_.ChartConfigFor(e.stage.series.metric));
          s["series"] = SeriesKeyJson(e.stage.series);
          hub_->Broadcast(SseHub::Frame("stage", s.dump()));
          break;
        }
      }
    }
  });
  Routes();
}

HttpApi::~HttpApi() = default;

Status HttpApi::LoadRecent() { return recent_->Load(store_); }

namespace {

// cpp-httplib 0.11 listens with a backlog of 5: a burst of new connections beyond that has some
// dropped, and those clients retry after a second. Listening again on the same socket raises
// the backlog (Linux allows it); the library does not expose the socket, so it is found among
// this process's descriptors by its local port.
void RaiseListenBacklog(int port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (ec != std::errc()) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    int local_port = -1;
    if (addr.ss_family == AF_INET) {
      local_port = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      local_port = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    }
    if (local_port == port) listen(fd, SOMAXCONN);
  }
}

}  // namespace

Result<int> HttpApi::Bind() {
  int port = options_.port;
  if (port == 0) {
    port = http_->bind_to_any_port(options_.host);
    if (port < 0) return Error{"bind_failed", "cannot listen on " + options_.host};
  } else if (!http_->bind_to_port(options_.host, port)) {
    return Error{"bind_failed", "cannot listen on " + options_.host + ":" + std::to_string(port) +
                                    " (in use, or not an address of this host)"};
  }
  RaiseListenBacklog(port);
  return port;
}

void HttpApi::Serve() { http_->listen_after_bind(); }

void HttpApi::Stop() {
  hub_->Close();
  http_->stop();
}

bool HttpApi::Authorized(const Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  static constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return false;
  }
  return KeysEqual(std::string_view(header).substr(kBearer.size()), api_key_);
}

void HttpApi::Routes() {
  httplib::Server& s = *http_;

  // Auth and CORS before routing, so that every route is covered, including unknown ones.
  s.set_pre_routing_handler([this](const Request& req, Response& res) {
    // The library's request object is not const (only this handler's view of it is).
    LimitResponseEncoding(const_cast<Request&>(req));
    if (!options_.cors_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", options_.cors_origin);
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      if (req.method == "OPTIONS") {
        res.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    const bool api = req.path.rfind("/api", 0) == 0;
    const bool metrics = req.path == "/metrics";
    if (!api && !metrics) return httplib::Server::HandlerResponse::Unhandled;
    const bool open = (api && options_.public_reads && req.method == "GET") ||
                      (metrics && (options_.public_metrics || options_.public_reads));
    if (open || Authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "unauthorized",
              req.has_header("Authorization")
                  ? "the API key is not valid"
                  : "send the API key as 'Authorization: Bearer <key>'");
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors raised by the library itself (404, 413, 400 on a malformed request) get a JSON body.
  s.set_error_handler([](const Request&, Response& res) {
    if (!res.body.empty()) return;
    switch (res.status) {
      case 404: SendError(res, 404, "not_found", "no such route"); break;
      case 413: SendError(res, 413, "body_too_large", "the request body is too large"); break;
      default:
        SendError(res, res.status, "bad_request",
                  "the request could not be read (a POST needs a body and a Content-Length)");
        break;
    }
  });
  s.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    SendError(res, 500, "internal", "the request failed inside the server");
  });

  s.Get("/health", [this](const Request&, Response& res) {
    Result<store::StoreStats> stats = store_.Stats();
    if (!stats) {
      SendJson(res, 503, Json{{"status", "degraded"}, {"store", "error"},
                              {"message", stats.error().message}});
      return;
    }
    SendJson(res, 200, Json{{"status", "ok"}, {"store", "ok"},
                            {"store_url", options_.store_description},
                            {"samples", stats->samples}, {"time", FormatIsoUtc(NowMs())}});
  });

  s.Post("/api/stats", [this](const Request& req, Response& res) {
    const std::string type = req.get_header_value("Content-Type");
    if (!type.empty() && type.find("json") == std::string::npos) {
      SendError(res, 415, "unsupported_media_type", "send application/json");
      return;
    }
    Result<IngestBody> body = ParseIngestBody(req.body, NowMs(), options_.ingest);
    if (!body) {
      SendError(res, 400, body.error().code, body.error().message);
      return;
    }
    Result<monitor::IngestReceipt> receipt = monitor_.Ingest(std::move(body->samples));
    if (!receipt) {
      SendError(res, 503, "storage_error", "the samples were not stored: " + receipt.error().message);
      return;
    }
    SendJson(res, 200, Json{{"status", "ok"}, {"logged", true}, {"count", receipt->ids.size()},
                            {"ids", receipt->ids}, {"duplicates", receipt->duplicates},
                            {"violations_detected", receipt->violations_opened},
                            {"ignored_fields", body->ignored_fields}});
  });

  s.Get("/api/stats", [this](const Request&, Response& res) {
    Result<store::StoreStats> stats = store_.Stats();
    if (!stats) return SendFailure(res, stats.error());
    Json series = Json::array();
    for (const monitor::SeriesView& v : monitor_.ListSeries()) series.push_back(SeriesViewJson(v));
    SendJson(res, 200,
             Json{{"count", stats->samples},
                  {"records", stats->samples},  // the original LLMscope's name
                  {"first_time", stats->first_time_ms ? Json(FormatIsoUtc(*stats->first_time_ms))
                                                      : Json(nullptr)},
                  {"last_time", stats->last_time_ms ? Json(FormatIsoUtc(*stats->last_time_ms))
                                                    : Json(nullptr)},
                  {"violations", stats->violations},
                  {"open_violations", stats->open_violations},
                  {"series", series}});
  });

  s.Get("/api/stats/spc", [this](const Request& req, Response& res) {
    SpcViewRequest r;
    r.severities = options_.severities;
    const std::string metric = req.has_param("metric") ? Param(req, "metric") : "e2e_ms";
    std::optional<Metric> m = ParseMetric(metric);
    if (!m) {
      return SendError(res, 400, "invalid_parameter",
                       "metric: unknown '" + metric +
                           "' (e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, error)");
    }
    r.metric = *m;
    if (req.has_param("provider")) r.provider = Param(req, "provider");
    if (req.has_param("model")) r.model = Param(req, "model");
    // The chart needs one series: provider and model with a site or a profile name it (the other
    // empty when not given), or one series matches the filters given. Provider and model alone
    // (the original's query) cover every site and profile: one match is its chart; several
    // (a model probed with several profiles) give their points in time order and their list.
    std::vector<SourceKey> matching;
    for (const monitor::SeriesView& v : monitor_.ListSeries()) {
      const SourceKey& k = v.key.source;
      if (v.key.metric != Metric::kE2eMs) continue;  // each source once
      if ((r.provider && k.provider != *r.provider) || (r.model && k.model != *r.model) ||
          (req.has_param("site") && k.site != Param(req, "site")) ||
          (req.has_param("profile") && k.profile != Param(req, "profile"))) {
        continue;
      }
      matching.push_back(k);
    }
    const bool names_one =
        r.provider && r.model && (req.has_param("site") || req.has_param("profile"));
    if (names_one || (r.provider && r.model && matching.empty())) {
      r.series = SeriesKey{SourceKey{*r.provider, *r.model, Param(req, "site"),
                                     Param(req, "profile")},
                           r.metric};
    } else if (matching.size() == 1) {
      r.series = SeriesKey{matching[0], r.metric};
    } else {
      r.matching = std::move(matching);
    }
    bool bad = false;
    const double hours = NumberParam<double>(req, "hours", res, bad).value_or(24);
    std::optional<int64_t> limit = NumberParam<int64_t>(req, "limit", res, bad);
    std::optional<double> usl = NumberParam<double>(req, "usl", res, bad);
    std::optional<double> lsl = NumberParam<double>(req, "lsl", res, bad);
    if (bad) return;
    if (!(hours > 0 && hours <= 24 * 366)) {
      return SendError(res, 400, "invalid_parameter", "hours: more than 0, at most 8784");
    }
    if (limit && (*limit < 1 || *limit > 500000)) {
      return SendError(res, 400, "invalid_parameter", "limit: 1..500000");
    }
    r.since_ms = NowMs() - static_cast<int64_t>(hours * 3600000.0);
    // As the original: one point per 2 s of the window unless a limit is given.
    r.limit = limit.value_or(std::min<int64_t>(static_cast<int64_t>(hours * 1800) + 1, 500000));
    r.usl = usl;
    r.lsl = lsl;
    if (req.has_param("columns")) {
      if (Param(req, "columns") != "chart") {
        return SendError(res, 400, "invalid_parameter", "columns: only 'chart' (or leave it out)");
      }
      r.chart_columns_only = true;
    }
    Result<std::string> body = BuildSpcView(r, store_, monitor_, *recent_);
    if (!body) return SendFailure(res, body.error());
    res.set_content(std::move(*body), "application/json");
  });

  s.Get("/api/series", [this](const Request&, Response& res) {
    Json list = Json::array();
    for (const monitor::SeriesView& v : monitor_.ListSeries()) list.push_back(SeriesViewJson(v));
    SendJson(res, 200, Json{{"series", list}});
  });

  // /api/series/PROVIDER/MODEL/METRIC/stages; the model may itself hold '/'.
  s.Post(R"(/api/series/(.+)/stages)", [this](const Request& req, Response& res) {
    const std::string id = req.matches[1];
    const size_t first = id.find('/'), last = id.rfind('/');
    std::optional<Metric> metric =
        last == std::string::npos ? std::nullopt : ParseMetric(id.substr(last + 1));
    if (first == std::string::npos || first == last || !metric) {
      return SendError(res, 404, "not_found",
                       "series path must be /api/series/PROVIDER/MODEL/METRIC/stages");
    }
    SeriesKey key{SourceKey{id.substr(0, first), id.substr(first + 1, last - first - 1),
                            Param(req, "site"), Param(req, "profile")},
                  *metric};
    std::optional<std::pair<int64_t, int64_t>> window;
    if (!req.body.empty()) {
      Json body = Json::parse(req.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return SendError(res, 400, "invalid_json", "the body must be a JSON object");
      }
      for (auto it = body.begin(); it != body.end(); ++it) {
        if (it.key() != "since" && it.key() != "until") {
          return SendError(res, 400, "unknown_field", it.key() + ": expected since, until");
        }
      }
      if (body.contains("since") || body.contains("until")) {
        std::optional<int64_t> since, until;
        if (body.contains("since") && body["since"].is_string()) {
          since = ParseIsoUtc(body["since"].get<std::string>());
        }
        if (body.contains("until") && body["until"].is_string()) {
          until = ParseIsoUtc(body["until"].get<std::string>());
        } else if (!body.contains("until")) {
          until = NowMs();
        }
        if (!since || !until || *since >= *until) {
          return SendError(res, 400, "invalid_field",
                           "since and until must be ISO 8601 times with since < until");
        }
        window = std::make_pair(*since, *until);
      }
    }
    Result<store::StageRecord> stage = monitor_.StartNewStage(key, window, NowMs());
    if (!stage) return SendFailure(res, stage.error());
    Json out = StageJson(*stage, monitor_.ChartConfigFor(key.metric));
    out["series"] = SeriesKeyJson(key);
    SendJson(res, 201, out);
  });

  s.Get("/api/violations", [this](const Request& req, Response& res) {
    std::optional<store::ViolationQuery> q = ViolationFilters(req, res, options_.severities);
    if (!q) return;
    Result<std::vector<store::ViolationRecord>> found = store_.QueryViolations(*q);
    if (!found) return SendFailure(res, found.error());
    Json list = Json::array();
    for (const store::ViolationRecord& v : *found) {
      list.push_back(ViolationJson(v, false, options_.severities));
    }
    SendJson(res, 200, Json{{"violations", list}, {"count", list.size()}});
  });

  s.Get(R"(/api/violations/(\d{1,18}))", [this](const Request& req, Response& res) {
    Result<std::optional<store::ViolationRecord>> v = store_.GetViolation(std::stoll(req.matches[1]));
    if (!v) return SendFailure(res, v.error());
    if (!v->has_value()) return SendError(res, 404, "not_found", "no such violation");
    Json out = ViolationJson(**v, true, options_.severities);
    Result<Json> deliveries = DeliveriesJson(store_, (*v)->id);
    if (!deliveries) return SendFailure(res, deliveries.error());
    out["deliveries"] = std::move(*deliveries);
    SendJson(res, 200, out);
  });

  auto workflow = [this](store::ViolationStatus status) {
    return [this, status](const Request& req, Response& res) {
      std::string by = "api";
      if (!req.body.empty()) {
        Json body = Json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
          return SendError(res, 400, "invalid_json", "the body must be a JSON object");
        }
        for (const char* k : {"by", "acknowledged_by", "resolved_by"}) {
          if (!body.contains(k)) continue;
          if (!body[k].is_string() || body[k].get<std::string>().size() > 200) {
            return SendError(res, 400, "invalid_field", std::string(k) + ": a name (<= 200 bytes)");
          }
          by = body[k].get<std::string>();
        }
      }
      Result<store::ViolationRecord> v =
          monitor_.SetViolationStatus(std::stoll(req.matches[1]), status, by, NowMs());
      if (!v) return SendFailure(res, v.error());
      SendJson(res, 200, ViolationJson(*v, false, options_.severities));
    };
  };
  s.Post(R"(/api/violations/(\d{1,18})/acknowledge)", workflow(store::ViolationStatus::kAcknowledged));
  s.Post(R"(/api/violations/(\d{1,18})/resolve)", workflow(store::ViolationStatus::kResolved));

  s.Get("/api/export/violations", [this](const Request& req, Response& res) {
    std::optional<store::ViolationQuery> q = ViolationFilters(req, res, options_.severities);
    if (!q) return;
    // Each row carries the telemetry at the violation's first point, and only that.
    q->context = store::ViolationQuery::Context::kTelemetry;
    if (!req.has_param("limit")) q->limit = 100000;
    Result<std::vector<store::ViolationRecord>> found = store_.QueryViolations(*q);
    if (!found) return SendFailure(res, found.error());
    std::ostringstream csv;
    csv << store::kViolationsCsvHeader;
    store::WriteViolationCsvRows(csv, *found);
    res.set_header("Content-Disposition", "attachment; filename=\"llmscope-violations.csv\"");
    res.set_content(csv.str(), "text/csv");
  });

  s.Get("/api/system", [this](const Request&, Response& res) {
    const Telemetry t = telemetry_.Read();
    auto opt = [](const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); };
    SendJson(res, 200,
             Json{{"cpu_percent", opt(t.cpu_percent)},
                  {"memory_percent", opt(t.memory_percent)},
                  {"gpu_percent", opt(t.gpu_percent)},
                  {"gpu_memory_percent", opt(t.gpu_memory_percent)},
                  {"gpu_temp_c", opt(t.gpu_temp_c)},
                  // the original LLMscope's names
                  {"cpu", opt(t.cpu_percent)},
                  {"memory", opt(t.memory_percent)},
                  {"gpuTemp", opt(t.gpu_temp_c)},
                  {"time", FormatIsoUtc(NowMs())}});
  });

  s.Get("/api/stream", [this](const Request&, Response& res) {
    std::shared_ptr<Subscription> sub = hub_->Subscribe();
    if (!sub) {
      res.set_header("Retry-After", "5");
      return SendError(res, 503, "too_many_streams",
                       "the server serves at most " + std::to_string(options_.max_stream_clients) +
                           " streams at once");
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    auto heartbeat = options_.stream_heartbeat;
    bool greeted = false;
    res.set_chunked_content_provider(
        "text/event-stream", [sub, heartbeat, greeted](size_t, httplib::DataSink& sink) mutable {
          if (!greeted) {
            greeted = true;
            const std::string hello = "retry: 3000\nevent: hello\ndata: {}\n\n";
            return sink.write(hello.data(), hello.size());
          }
          std::optional<std::string> frames = sub->Next(heartbeat);
          if (!frames) {
            sink.done();
            return false;
          }
          const std::string out = frames->empty() ? std::string(": keep-alive\n\n") : *frames;
          return sink.write(out.data(), out.size());
        });
  });

  RegisterAlertRoutes(s, store_);

  s.Get("/metrics", [this](const Request&, Response& res) {
    Result<store::StoreStats> stats = store_.Stats();
    const int64_t open = stats ? stats->open_violations : -1;
    res.set_content(metrics_->Render(monitor_.ListSeries(), open, hub_->clients()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });

  // The dashboard's own data routes, then its embedded files (last: the SPA fallback).
  AddDashboardRoutes(s, store_, monitor_);
  AddStaticAssetRoutes(s);
}

}  // namespace llmscope::server

// What the alerting layer costs and buys, measured end to end on a real server. It
// starts `llmscope serve --no-probe` on 127.0.0.1 with a temporary data directory, posts --days
// of probe-like samples (one call every 2 s per source, timestamps in the past) of seven healthy
// shapes and four sources with a known incident, then reads GET /api/violations and
// GET /api/series and reports:
//  - healthy shapes: alerts (critical + warning) per series per 30 days, and info counts;
//  - incidents: per metric, the delay from the known start to the first alert (its rule), and
//    any alert before the start (a false alert);
//  - each series' own `alerting` figures (expected false alerts per 30 days, detection delay);
//  - the server's peak and current RSS, and the wall time.
// A measurement, not a test: it asserts nothing about the figures. The exit code is 1 only when
// the run itself failed (the server did not start or died, a request failed, the time ran out).
// A server without severities (older than severities) still works: its violations count as
// "unknown".
//
//   ./build/bench/alarm_budget --days 3 [--binary ./build/src/app/llmscope] [--seed 1] [--json]
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.h"
#include "support/free_port.h"
#include "support/subprocess.h"

extern char** environ;

namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kIntervalMs = 2000;  // one probe call every 2 s per source
constexpr int64_t kHourMs = int64_t{3600} * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr double kTtftMedianMs = 300, kTpotMedianMs = 25;
constexpr int kTokensOut = 21;  // e2e = ttft + 20 · tpot
// An incident source: 6 h of healthy data (its detectors finish learning), the incident from
// then on, 2 h of it.
constexpr int64_t kIncidentLeadMs = 6 * kHourMs, kIncidentTailMs = 2 * kHourMs;
constexpr int64_t kViolationPage = 10000;  // per GET /api/violations (the server allows 100,000)

std::atomic<bool> g_interrupted{false};

enum class Incident { kNone, kShift12, kTtft2, kDrift40, kErr5 };

// One source's data: latencies log-normal around the medians, optionally autocorrelated, with a
// daily cycle, outliers and failed calls; an incident source changes at its start time.
struct Shape {
  const char* name;  // the source's model name
  double log_sd;     // marginal standard deviation of log ttft and log tpot
  double phi;        // AR(1) coefficient in log space; 0: independent calls
  double daily_amp;  // daily sinusoidal cycle of the medians, ± this share
  double outlier_p;  // share of calls ×3..×8 slower in both ttft and tpot
  double error_p;    // share of failed calls
  Incident incident;
  const char* change;  // what the incident does, for the report
};

constexpr Shape kShapes[] = {
    {"narrow", 0.15, 0, 0, 0, 0, Incident::kNone, ""},
    {"wide", 0.35, 0, 0, 0, 0, Incident::kNone, ""},
    {"ar1", 0.15, 0.4, 0, 0, 0, Incident::kNone, ""},
    {"outliers", 0.15, 0, 0, 0.01, 0, Incident::kNone, ""},
    {"daily", 0.15, 0, 0.04, 0, 0, Incident::kNone, ""},
    {"mixed", 0.15, 0.4, 0.04, 0.005, 0, Incident::kNone, ""},
    {"errors_ok", 0.15, 0, 0, 0, 0.001, Incident::kNone, ""},
    {"shift12", 0.15, 0, 0, 0, 0, Incident::kShift12, "ttft, tpot x1.2 (tokens/s /1.2)"},
    {"ttft2", 0.15, 0, 0, 0, 0, Incident::kTtft2, "ttft x2"},
    {"drift40", 0.15, 0, 0, 0, 0, Incident::kDrift40, "ttft, tpot +40% over 1 h, then flat"},
    {"err5", 0.15, 0, 0, 0, 0, Incident::kErr5, "error rate 0 -> 5%"},
};

// The metrics an incident moves; an alert on another metric of its source is a false one.
bool Moves(Incident incident, const std::string& metric) {
  switch (incident) {
    case Incident::kNone:
      return false;
    case Incident::kShift12:
    case Incident::kDrift40:
      return metric == "e2e_ms" || metric == "ttft_ms" || metric == "tpot_ms" ||
             metric == "tokens_per_s";
    case Incident::kTtft2:
      return metric == "e2e_ms" || metric == "ttft_ms";
    case Incident::kErr5:
      return metric == "error";
  }
  return false;
}

// The samples of one source in time order, made one at a time (30 days of seven sources would
// not fit in memory as JSON).
class SampleStream {
 public:
  // `phase_ms`: where in its daily cycle the source's first sample falls (0: at the mean, rising).
  SampleStream(const Shape& shape, int64_t begin_ms, int64_t end_ms, int64_t incident_ms,
               int64_t phase_ms, uint64_t seed, int index)
      : shape_(shape),
        begin_ms_(begin_ms - phase_ms),
        next_ms_(begin_ms),
        end_ms_(end_ms),
        incident_ms_(incident_ms) {
    std::seed_seq seq{seed, static_cast<uint64_t>(index)};
    rng_.seed(seq);
    // Start the AR(1) states at their stationary distribution.
    log_ttft_ = shape_.log_sd * normal_(rng_);
    log_tpot_ = shape_.log_sd * normal_(rng_);
  }

  const Shape& shape() const { return shape_; }
  int64_t next_ms() const { return next_ms_; }
  bool done() const { return next_ms_ >= end_ms_; }
  int64_t incident_ms() const { return incident_ms_; }

  // Appends the next sample as a JSON object to `out`.
  void AppendNext(std::string& out) {
    const int64_t t = next_ms_;
    next_ms_ += kIntervalMs;
    // Every draw is made on every call, so the shapes differ only where their parameters do.
    const double innovation_sd = shape_.log_sd * std::sqrt(1 - shape_.phi * shape_.phi);
    log_ttft_ = shape_.phi * log_ttft_ + innovation_sd * normal_(rng_);
    log_tpot_ = shape_.phi * log_tpot_ + innovation_sd * normal_(rng_);
    const bool outlier = uniform_(rng_) < shape_.outlier_p;
    const double outlier_factor = 3 + 5 * uniform_(rng_);
    const double error_draw = uniform_(rng_);

    // The cycle's phase counts from the source's first sample, not the clock, so a seed gives
    // the same values whatever the hour of the run.
    const double day_share = static_cast<double>((t - begin_ms_) % kDayMs) / kDayMs;
    const double cycle = 1 + shape_.daily_amp * std::sin(2 * std::numbers::pi * day_share);
    double ttft = kTtftMedianMs * cycle * std::exp(log_ttft_);
    double tpot = kTpotMedianMs * cycle * std::exp(log_tpot_);
    if (outlier) {
      ttft *= outlier_factor;
      tpot *= outlier_factor;
    }
    double error_p = shape_.error_p;
    if (t >= incident_ms_) {
      switch (shape_.incident) {
        case Incident::kNone:
          break;
        case Incident::kShift12:
          ttft *= 1.2;
          tpot *= 1.2;
          break;
        case Incident::kTtft2:
          ttft *= 2;
          break;
        case Incident::kDrift40: {
          const double f = 1 + 0.4 * std::min(1.0, static_cast<double>(t - incident_ms_) / kHourMs);
          ttft *= f;
          tpot *= f;
          break;
        }
        case Incident::kErr5:
          error_p = 0.05;
          break;
      }
    }
    out += R"({"provider":"bench","model":")";
    out += shape_.name;
    out += R"(","site":"","profile":"short","timestamp":")";
    llmscope::AppendIsoUtc(out, t);
    char buf[200];
    if (error_draw < error_p) {
      // A failed call carries no latency (it would measure the failure).
      out += R"(","error":true,"error_kind":"http_5xx"})";
      return;
    }
    std::snprintf(buf, sizeof buf,
                  R"(","ttft_ms":%.3f,"tpot_ms":%.4f,"e2e_ms":%.3f,"tokens_per_s":%.4f,)"
                  R"("tokens_out":%d,"error":false})",
                  ttft, tpot, ttft + (kTokensOut - 1) * tpot, 1000 / tpot, kTokensOut);
    out += buf;
  }

 private:
  const Shape& shape_;
  int64_t begin_ms_, next_ms_, end_ms_, incident_ms_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0, 1};
  std::uniform_real_distribution<double> uniform_{0, 1};
  double log_ttft_ = 0, log_tpot_ = 0;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string Tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "…" + text.substr(text.size() - n);
}

std::string RandomKey() {
  std::random_device rd;
  std::string key;
  for (int i = 0; i < 32; ++i) key += "0123456789abcdef"[rd() % 16];
  return key;
}

// "VmHWM" (peak) or "VmRSS" (now) of a process, in kB; -1 when unknown.
long ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  const std::string prefix = std::string(field) + ":";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

// The `llmscope serve` under measurement: started with a temporary data directory, stopped with
// SIGTERM (killed when it does not stop, or when this program fails).
class ServerUnderTest {
 public:
  struct Options {
    std::string binary, config, key, root;
    int port = 0;  // 0: a free one
    int64_t retention_days = 32;
  };
  explicit ServerUnderTest(Options options) : o_(std::move(options)) {}
  ~ServerUnderTest() {
    if (pid_ > 0) Kill();
  }
  ServerUnderTest(const ServerUnderTest&) = delete;
  ServerUnderTest& operator=(const ServerUnderTest&) = delete;

  // Starts it and waits (60 s at most) until GET /health answers 200. With port 0 a port taken
  // between picking and binding is retried with another.
  bool Start(std::string* error) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = o_.port ? o_.port : llmscope::testing::PickFreePort();
      if (SpawnAndWait(error)) return true;
      if (o_.port || Stderr().find("cannot listen") == std::string::npos) return false;
    }
    return false;
  }

  // SIGTERM, then SIGKILL after 30 s. Returns the exit code, or -1 when a signal ended it.
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    int status = 0;
    if (!WaitFor(std::chrono::seconds(30), &status)) {
      std::fprintf(stderr, "the server did not stop within 30 s of SIGTERM; killing it\n");
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // False (reaping it) when it has exited.
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string Stderr() const { return ReadFile(o_.root + "/server.stderr.log"); }

 private:
  bool SpawnAndWait(std::string* error) {
    std::vector<std::string> argv = {o_.binary,
                                     "serve",
                                     "--no-probe",
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "--data-dir",
                                     o_.root + "/data"};
    if (!o_.config.empty()) argv.insert(argv.end(), {"--config", o_.config});
    // The caller's LLMSCOPE_* settings reach the server (to try alarm settings), except the
    // ones this measurement needs: its key, batches of up to 10,000 samples, and a retention
    // that keeps --days of samples.
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      const std::string var = *e;
      if (var.rfind("LLMSCOPE_API_KEY=", 0) != 0 &&
          var.rfind("LLMSCOPE_SERVER_BODY_LIMIT=", 0) != 0 &&
          var.rfind("LLMSCOPE_STORE_RETENTION_DAYS=", 0) != 0) {
        env.push_back(var);
      }
    }
    env.push_back("LLMSCOPE_API_KEY=" + o_.key);
    env.push_back("LLMSCOPE_SERVER_BODY_LIMIT=" + std::to_string(32 << 20));
    env.push_back("LLMSCOPE_STORE_RETENTION_DAYS=" + std::to_string(o_.retention_days));
    pid_ = llmscope::testing::SpawnWithOutputFiles(argv, env, o_.root + "/server.stdout.log",
                                                   o_.root + "/server.stderr.log", error);
    if (pid_ < 0) return false;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && !g_interrupted) {
      if (!Running()) {
        *error = "the server exited during start (exit code " + std::to_string(exit_code_) +
                 "); stderr:\n" + Tail(Stderr(), 2000);
        return false;
      }
      httplib::Client c("127.0.0.1", port_);
      c.set_connection_timeout(0, 200000);
      c.set_read_timeout(2, 0);
      if (httplib::Result r = c.Get("/health"); r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Kill();
    *error = "the server did not answer GET /health within 60 s; stderr:\n" + Tail(Stderr(), 2000);
    return false;
  }

  bool WaitFor(std::chrono::milliseconds timeout, int* status) const {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      const pid_t r = waitpid(pid_, status, WNOHANG);
      if (r == pid_ || r < 0) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  Options o_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
};

// A failed run: the message says what and why.
struct RunFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The API client: one keep-alive connection, the key on every request.
class Api {
 public:
  Api(int port, const std::string& key) : client_("127.0.0.1", port) {
    client_.set_keep_alive(true);
    client_.set_tcp_nodelay(true);
    client_.set_connection_timeout(5, 0);
    client_.set_read_timeout(300, 0);
    client_.set_write_timeout(300, 0);
    headers_ = {{"Authorization", "Bearer " + key}};
  }

  // POST /api/stats with a {"samples": [...]} body. Returns the reply's violations_detected.
  int64_t PostSamples(const std::string& body) {
    httplib::Result r = client_.Post("/api/stats", headers_, body, "application/json");
    if (!r) throw RunFailure("POST /api/stats: " + httplib::to_string(r.error()));
    if (r->status != 200 && r->status != 201) {
      throw RunFailure("POST /api/stats: HTTP " + std::to_string(r->status) + ": " +
                       Tail(r->body, 500));
    }
    const Json reply = Json::parse(r->body, nullptr, false);
    return reply.is_object() ? reply.value("violations_detected", int64_t{0}) : 0;
  }

  Json Get(const std::string& path, const httplib::Params& params = {}) {
    httplib::Result r = client_.Get(path, params, headers_);
    if (!r) throw RunFailure("GET " + path + ": " + httplib::to_string(r.error()));
    if (r->status != 200) {
      throw RunFailure("GET " + path + ": HTTP " + std::to_string(r->status) + ": " +
                       Tail(r->body, 500));
    }
    Json j = Json::parse(r->body, nullptr, false);
    if (j.is_discarded()) throw RunFailure("GET " + path + ": the reply is not JSON");
    return j;
  }

 private:
  httplib::Client client_;
  httplib::Headers headers_;
};

// Every violation of one source (by id): GET /api/violations over [lo_ms, hi_ms) (`since`
// keeps those whose last time is ≥ lo, `until` those whose first time is < hi), halving the
// window while a page comes back full.
void FetchViolations(Api& api, const std::string& model, int64_t lo_ms, int64_t hi_ms,
                     std::map<int64_t, Json>& out, int64_t* truncated) {
  const Json page = api.Get("/api/violations", {{"provider", "bench"},
                                                {"model", model},
                                                {"since", llmscope::FormatIsoUtc(lo_ms)},
                                                {"until", llmscope::FormatIsoUtc(hi_ms)},
                                                {"limit", std::to_string(kViolationPage)}});
  const Json& list = page.at("violations");
  if (static_cast<int64_t>(list.size()) >= kViolationPage) {
    if (hi_ms - lo_ms > 2000) {
      const int64_t mid = lo_ms + (hi_ms - lo_ms) / 2;
      FetchViolations(api, model, lo_ms, mid, out, truncated);
      FetchViolations(api, model, mid, hi_ms, out, truncated);
      return;
    }
    ++*truncated;  // more than a page within 2 s: keep what came
  }
  for (const Json& v : list) out.emplace(v.at("id").get<int64_t>(), v);
}

std::string Severity(const Json& v) {
  auto it = v.find("severity");
  return it != v.end() && it->is_string() ? it->get<std::string>() : "unknown";
}

bool IsAlert(const std::string& severity) {
  return severity == "critical" || severity == "warning";
}

// When the detector signalled: detected_time_ms, else (older than severities) first_time_ms.
int64_t DetectedMs(const Json& v) {
  auto it = v.find("detected_time_ms");
  if (it != v.end() && it->is_number()) return it->get<int64_t>();
  return v.at("first_time_ms").get<int64_t>();
}

std::string Cell(const Json& value, const char* format) {
  if (value.is_number()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, value.get<double>());
    return buf;
  }
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_string()) return value.get<std::string>();
  return "-";
}

// Violations of one source by metric and severity.
using Tally = std::map<std::string, std::map<std::string, int64_t>>;

Tally CountBySeverity(const std::map<int64_t, Json>& violations) {
  Tally t;
  for (const auto& [id, v] : violations) ++t[v.at("metric").get<std::string>()][Severity(v)];
  return t;
}

const std::vector<std::string> kMetrics = {"e2e_ms",       "ttft_ms",  "tpot_ms",
                                           "tokens_per_s", "cost_usd", "error"};

// What one incident did on one metric.
Json IncidentMetric(const std::vector<Json>& violations, int64_t start_ms, bool moved) {
  std::optional<Json> first_alert, first_any;
  int64_t before = 0, after = 0;
  for (const Json& v : violations) {
    const int64_t at = DetectedMs(v);
    const bool alert = IsAlert(Severity(v));
    if (alert) ++(at < start_ms ? before : after);
    if (at < start_ms) continue;
    if (alert && (!first_alert || at < DetectedMs(*first_alert))) first_alert = v;
    if (!first_any || at < DetectedMs(*first_any)) first_any = v;
  }
  auto brief = [&](const std::optional<Json>& v) -> Json {
    if (!v) return nullptr;
    return Json{{"delay_s", (DetectedMs(*v) - start_ms) / 1000.0},
                {"rule", v->value("rule", "")},
                {"severity", Severity(*v)},
                {"first_time_ms", v->value("first_time_ms", int64_t{0})},
                {"detected_time_ms", DetectedMs(*v)}};
  };
  return Json{{"moved", moved},
              {"detected", first_alert.has_value()},
              {"first_alert", brief(first_alert)},
              {"first_violation_any_severity", brief(first_any)},
              {"alerts_before_start", before},
              {"alerts_after_start", after}};
}

// Aggregates everything the server answered into the report object.
Json BuildReport(const std::vector<SampleStream>& streams,
                 const std::map<std::string, std::map<int64_t, Json>>& violations,
                 const Json& series_list, int days) {
  // The series the server keeps per source.
  std::map<std::string, std::vector<Json>> series_of;
  for (const Json& s : series_list) {
    if (s.value("provider", "") == "bench") series_of[s.value("model", "")].push_back(s);
  }
  Json healthy = Json::array(), incidents = Json::array();
  int64_t total_series = 0, total_alerts = 0, total_info = 0, total_unknown = 0;
  double total_series_days = 0;
  for (const SampleStream& stream : streams) {
    const Shape& shape = stream.shape();
    const auto& found = violations.at(shape.name);
    const Tally tally = CountBySeverity(found);
    std::set<std::string> metrics;
    for (const Json& s : series_of[shape.name]) metrics.insert(s.value("metric", ""));
    for (const auto& [metric, counts] : tally) metrics.insert(metric);
    if (shape.incident == Incident::kNone) {
      Json by_metric = Json::object();
      std::map<std::string, int64_t> by_severity;
      for (const std::string& metric : metrics) {
        Json counts = Json::object();
        if (auto m = tally.find(metric); m != tally.end()) {
          for (const auto& [severity, n] : m->second) {
            counts[severity] = n;
            by_severity[severity] += n;
          }
        }
        by_metric[metric] = counts;
      }
      const int64_t critical = by_severity["critical"], warning = by_severity["warning"];
      const int64_t info = by_severity["info"], unknown = by_severity["unknown"];
      const int64_t alerts = critical + warning;
      const int64_t n_series = static_cast<int64_t>(series_of[shape.name].size());
      const double series_days = static_cast<double>(n_series) * days;
      healthy.push_back(Json{{"source", shape.name},
                             {"series", n_series},
                             {"series_days", series_days},
                             {"critical", critical},
                             {"warning", warning},
                             {"alerts", alerts},
                             {"alerts_per_series_30d",
                              series_days > 0 ? Json(alerts / series_days * 30) : Json(nullptr)},
                             {"info", info},
                             {"unknown", unknown},
                             {"by_metric", by_metric}});
      total_series += n_series;
      total_series_days += series_days;
      total_alerts += alerts;
      total_info += info;
      total_unknown += unknown;
      continue;
    }
    std::map<std::string, std::vector<Json>> by_metric_list;
    for (const auto& [id, v] : found)
      by_metric_list[v.at("metric").get<std::string>()].push_back(v);
    Json per_metric = Json::object();
    int64_t false_before = 0, false_unmoved = 0;
    for (const std::string& metric : metrics) {
      const bool moved = Moves(shape.incident, metric);
      Json m = IncidentMetric(by_metric_list[metric], stream.incident_ms(), moved);
      false_before += m["alerts_before_start"].get<int64_t>();
      if (!moved) false_unmoved += m["alerts_after_start"].get<int64_t>();
      per_metric[metric] = std::move(m);
    }
    incidents.push_back(Json{{"source", shape.name},
                             {"change", shape.change},
                             {"start", llmscope::FormatIsoUtc(stream.incident_ms())},
                             {"start_ms", stream.incident_ms()},
                             {"false_alerts_before_start", false_before},
                             {"alerts_on_unmoved_metrics_after_start", false_unmoved},
                             {"metrics", per_metric}});
  }
  Json series = Json::array();
  for (const auto& [model, list] : series_of) {
    for (const Json& s : list) {
      const Json alerting = s.contains("alerting") ? s["alerting"] : Json(nullptr);
      series.push_back(Json{{"id", s.value("id", "")},
                            {"model", model},
                            {"metric", s.value("metric", "")},
                            {"state", s.value("state", "")},
                            {"alerting", alerting}});
    }
  }
  return Json{
      {"healthy", healthy},
      {"healthy_total",
       Json{{"series", total_series},
            {"series_days", total_series_days},
            {"series_months", total_series_days / 30},
            {"alerts", total_alerts},
            {"alerts_per_series_30d",
             total_series_days > 0 ? Json(total_alerts / total_series_days * 30) : Json(nullptr)},
            {"info", total_info},
            {"unknown", total_unknown}}},
      {"incidents", incidents},
      {"series", series}};
}

std::string ShortMetric(const std::string& metric) {
  return metric == "tokens_per_s" ? "tok/s" : metric;
}

void PrintReport(const Json& r) {
  const Json& run = r["run"];
  std::printf(
      "\nalarm_budget: %d days of healthy data per source, seed %llu, daily phase %g h, %lld "
      "samples in %.1f s (%.0f samples/s)\n",
      run["days"].get<int>(), run["seed"].get<unsigned long long>(),
      run["daily_phase_h"].get<double>(), run["samples"].get<long long>(),
      run["ingest_seconds"].get<double>(), run["samples_per_s"].get<double>());

  std::printf("\nHealthy sources: alerts = critical + warning; rate = alerts / series-days x 30\n");
  std::printf("%-10s %6s %11s %8s %8s %7s %13s %8s %8s\n", "shape", "series", "series-days",
              "critical", "warning", "alerts", "per series/30d", "info", "unknown");
  for (const Json& h : r["healthy"]) {
    std::printf("%-10s %6lld %11.1f %8lld %8lld %7lld %14s %8lld %8lld\n",
                h["source"].get<std::string>().c_str(), h["series"].get<long long>(),
                h["series_days"].get<double>(), h["critical"].get<long long>(),
                h["warning"].get<long long>(), h["alerts"].get<long long>(),
                Cell(h["alerts_per_series_30d"], "%.3f").c_str(), h["info"].get<long long>(),
                h["unknown"].get<long long>());
  }
  const Json& t = r["healthy_total"];
  std::printf("%-10s %6lld %11.1f %8s %8s %7lld %14s %8lld %8lld\n", "total",
              t["series"].get<long long>(), t["series_days"].get<double>(), "", "",
              t["alerts"].get<long long>(), Cell(t["alerts_per_series_30d"], "%.3f").c_str(),
              t["info"].get<long long>(), t["unknown"].get<long long>());
  std::printf("(%.2f series-months observed)\n", t["series_months"].get<double>());

  std::printf("\nHealthy sources by metric: alerts / info / unknown\n%-10s", "shape");
  for (const std::string& m : kMetrics) std::printf(" %20s", ShortMetric(m).c_str());
  std::printf("\n");
  for (const Json& h : r["healthy"]) {
    std::printf("%-10s", h["source"].get<std::string>().c_str());
    for (const std::string& m : kMetrics) {
      if (!h["by_metric"].contains(m)) {
        std::printf(" %20s", "-");
        continue;
      }
      const Json& c = h["by_metric"][m];
      const int64_t alerts = c.value("critical", int64_t{0}) + c.value("warning", int64_t{0});
      char cell[64];
      std::snprintf(cell, sizeof cell, "%lld / %lld / %lld", static_cast<long long>(alerts),
                    static_cast<long long>(c.value("info", int64_t{0})),
                    static_cast<long long>(c.value("unknown", int64_t{0})));
      std::printf(" %20s", cell);
    }
    std::printf("\n");
  }

  std::printf("\nIncidents: delay = first alert's detected time - incident start\n");
  for (const Json& inc : r["incidents"]) {
    std::printf(
        "%s (%s) from %s: false alerts before the start: %lld; alerts on metrics it "
        "does not move: %lld\n",
        inc["source"].get<std::string>().c_str(), inc["change"].get<std::string>().c_str(),
        inc["start"].get<std::string>().c_str(), inc["false_alerts_before_start"].get<long long>(),
        inc["alerts_on_unmoved_metrics_after_start"].get<long long>());
    std::printf("  %-13s %5s %-26s %-28s %7s\n", "metric", "moved", "first alert",
                "first violation (any)", "before");
    for (const auto& [metric, m] : inc["metrics"].items()) {
      auto describe = [](const Json& v) -> std::string {
        if (v.is_null()) return "not detected";
        char buf[96];
        std::snprintf(buf, sizeof buf, "%+.0f s %s %s", v["delay_s"].get<double>(),
                      v["rule"].get<std::string>().c_str(),
                      v["severity"].get<std::string>().c_str());
        return buf;
      };
      std::printf("  %-13s %5s %-26s %-28s %7lld\n", metric.c_str(),
                  m["moved"].get<bool>() ? "yes" : "no", describe(m["first_alert"]).c_str(),
                  describe(m["first_violation_any_severity"]).c_str(),
                  m["alerts_before_start"].get<long long>());
    }
  }

  std::printf("\nSeries (GET /api/series `alerting`; '-' where absent)\n");
  std::printf("%-10s %-13s %-12s %-9s %8s %8s %12s %12s %11s %9s\n", "source", "metric", "state",
              "detector", "learning", "budget", "false/30d", "degraded/30d", "delay_s", "target");
  for (const Json& s : r["series"]) {
    const Json& a = s["alerting"];
    auto field = [&](const char* key) {
      return a.is_object() && a.contains(key) ? a[key] : Json();
    };
    std::printf("%-10s %-13s %-12s %-9s %8s %8s %12s %12s %11s %9s\n",
                s["model"].get<std::string>().c_str(), s["metric"].get<std::string>().c_str(),
                s["state"].get<std::string>().c_str(), Cell(field("detector"), "%g").c_str(),
                Cell(field("learning"), "%g").c_str(),
                Cell(field("budget_per_30d"), "%.3g").c_str(),
                Cell(field("expected_false_alerts_per_30d"), "%.4g").c_str(),
                Cell(field("expected_degraded_per_30d"), "%.4g").c_str(),
                Cell(field("detection_delay_s"), "%.1f").c_str(),
                Cell(field("detection_target"), "%g").c_str());
  }

  const Json& server = r["server"];
  std::printf(
      "\nServer: peak RSS %.1f MB; RSS after ingest %.1f MB, after the queries %.1f MB, 6 s later "
      "%.1f MB; exit code %d after SIGTERM\n",
      server["peak_rss_kb"].get<double>() / 1024,
      server["rss_after_ingest_kb"].get<double>() / 1024, server["rss_kb"].get<double>() / 1024,
      server["rss_settled_kb"].get<double>() / 1024, server["exit_code"].get<int>());
  std::printf("Wall time %.1f s (ingest %.1f s, queries %.1f s)\n",
              run["wall_seconds"].get<double>(), run["ingest_seconds"].get<double>(),
              run["query_seconds"].get<double>());
}

void OnSignal(int) {
  g_interrupted = true;
}

int Run(int argc, char** argv) {
  CLI::App app{"alert budget and detection delay of llmscope serve on synthetic probe data"};
  std::string binary = "./build/src/app/llmscope", config;
  int days = 3, port = 0, batch = 5000;
  uint64_t seed = 1;
  double max_seconds = 3600, daily_phase_h = 0;
  bool keep_dir = false, json_out = false;
  app.add_option("--binary", binary, "the llmscope binary")->capture_default_str();
  app.add_option("--days", days, "days of healthy data per source")
      ->check(CLI::Range(1, 30))
      ->capture_default_str();
  app.add_option("--seed", seed, "random seed of the samples")->capture_default_str();
  app.add_option("--port", port, "port on 127.0.0.1; 0: a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--batch", batch, "samples per POST /api/stats")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--daily-phase", daily_phase_h,
                 "hours into the daily cycle at each source's first sample: 0 mean rising, 6 "
                 "peak, 18 trough (the detectors then learn at the low)")
      ->check(CLI::Range(0.0, 24.0))
      ->capture_default_str();
  app.add_option("--config", config, "a TOML config for the server (e.g. alarm settings)");
  app.add_option("--max-seconds", max_seconds, "give up (exit 1) after this long")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--keep-dir", keep_dir, "keep the temporary data directory and server logs");
  app.add_flag("--json", json_out, "print one JSON object instead of the tables");
  CLI11_PARSE(app, argc, argv);

  const auto wall_start = Clock::now();
  const auto deadline = wall_start + std::chrono::duration<double>(max_seconds);
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  signal(SIGPIPE, SIG_IGN);

  // The timeline: healthy sources from D days + 1 h ago to 1 h ago (nothing near the server's
  // 5-minute future limit); incident sources over the last 8 h of it.
  const int64_t now_ms = NowMs();
  const int64_t healthy_end = now_ms - kHourMs;
  const int64_t healthy_begin = healthy_end - days * kDayMs;
  const int64_t incident_begin = healthy_end - kIncidentLeadMs - kIncidentTailMs;
  const auto phase_ms = static_cast<int64_t>(daily_phase_h * kHourMs);
  std::vector<SampleStream> streams;
  int index = 0;
  for (const Shape& shape : kShapes) {
    if (shape.incident == Incident::kNone) {
      streams.emplace_back(shape, healthy_begin, healthy_end, INT64_MAX, phase_ms, seed, index++);
    } else {
      streams.emplace_back(shape, incident_begin, healthy_end, incident_begin + kIncidentLeadMs,
                           phase_ms, seed, index++);
    }
  }
  int64_t total_samples = 0;
  for (const SampleStream& s : streams) {
    total_samples += (healthy_end - s.next_ms() + kIntervalMs - 1) / kIntervalMs;
  }
  std::fprintf(stderr,
               "alarm_budget: %zu sources (%d days each healthy, 8 h each incident), %lld samples "
               "from %s to %s, batches of %d\n",
               streams.size(), days, static_cast<long long>(total_samples),
               llmscope::FormatIsoUtc(healthy_begin).c_str(),
               llmscope::FormatIsoUtc(healthy_end).c_str(), batch);

  char tmpl[] = "/tmp/llmscope-alarm-budget-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::fprintf(stderr, "mkdtemp failed: %s\n", std::strerror(errno));
    return 1;
  }
  const std::string root = tmpl;
  const std::string key = RandomKey();
  int rc = 0;
  {
    ServerUnderTest server({binary, config, key, root, port, days + 2});
    try {
      std::string error;
      if (!server.Start(&error)) throw RunFailure(error);
      std::fprintf(stderr, "server pid %d on 127.0.0.1:%d, data in %s\n", server.pid(),
                   server.port(), root.c_str());
      Api api(server.port(), key);
      auto check = [&] {
        if (g_interrupted) throw RunFailure("interrupted");
        if (Clock::now() > deadline) throw RunFailure("--max-seconds ran out");
        if (!server.Running()) {
          throw RunFailure("the server died; stderr:\n" + Tail(server.Stderr(), 2000));
        }
      };

      // Day by day, each source's samples of that day in time order, in batches.
      const auto ingest_start = Clock::now();
      int64_t posted = 0, detected = 0;
      std::string body;
      for (int day = 0; day < days; ++day) {
        const int64_t window_end = healthy_begin + (day + 1) * kDayMs;
        for (SampleStream& stream : streams) {
          while (!stream.done() && stream.next_ms() < window_end) {
            body = R"({"samples":[)";
            int n = 0;
            for (; n < batch && !stream.done() && stream.next_ms() < window_end; ++n) {
              if (n) body += ',';
              stream.AppendNext(body);
            }
            body += "]}";
            check();
            detected += api.PostSamples(body);
            posted += n;
          }
        }
        const double s = SecondsSince(ingest_start);
        std::fprintf(stderr,
                     "day %d/%d: %lld samples posted, %.0f samples/s, %lld violations "
                     "detected so far\n",
                     day + 1, days, static_cast<long long>(posted), posted / s,
                     static_cast<long long>(detected));
      }
      const double ingest_seconds = SecondsSince(ingest_start);

      const long ingest_rss_kb = ProcStatusKb(server.pid(), "VmRSS");
      const auto query_start = Clock::now();
      std::map<std::string, std::map<int64_t, Json>> violations;
      int64_t truncated = 0;
      for (const SampleStream& stream : streams) {
        check();
        FetchViolations(api, stream.shape().name, healthy_begin - kDayMs, NowMs() + kDayMs,
                        violations[stream.shape().name], &truncated);
      }
      if (truncated) {
        std::fprintf(stderr,
                     "warning: %lld windows of 2 s held more than %lld violations; "
                     "counts are lower bounds\n",
                     static_cast<long long>(truncated), static_cast<long long>(kViolationPage));
      }
      check();
      const Json series = api.Get("/api/series").at("series");
      const double query_seconds = SecondsSince(query_start);
      int64_t n_violations = 0;
      for (const auto& [model, list] : violations)
        n_violations += static_cast<int64_t>(list.size());
      std::fprintf(stderr, "read %lld violations and %zu series in %.1f s\n",
                   static_cast<long long>(n_violations), series.size(), query_seconds);

      Json report = BuildReport(streams, violations, series, days);
      const long peak_kb = ProcStatusKb(server.pid(), "VmHWM");
      const long rss_kb = ProcStatusKb(server.pid(), "VmRSS");
      // The server hands free heap pages back every 5 s: RSS once that has happened.
      std::this_thread::sleep_for(std::chrono::seconds(6));
      const long settled_kb = ProcStatusKb(server.pid(), "VmRSS");
      const int exit_code = server.Stop();
      report["server"] = Json{{"peak_rss_kb", peak_kb},
                              {"rss_after_ingest_kb", ingest_rss_kb},
                              {"rss_kb", rss_kb},
                              {"rss_settled_kb", settled_kb},
                              {"exit_code", exit_code}};
      report["run"] = Json{{"days", days},
                           {"seed", seed},
                           {"daily_phase_h", daily_phase_h},
                           {"batch", batch},
                           {"samples", posted},
                           {"violations_detected_on_ingest", detected},
                           {"violations_read", n_violations},
                           {"violation_windows_truncated", truncated},
                           {"healthy_begin", llmscope::FormatIsoUtc(healthy_begin)},
                           {"healthy_end", llmscope::FormatIsoUtc(healthy_end)},
                           {"ingest_seconds", ingest_seconds},
                           {"samples_per_s", posted / ingest_seconds},
                           {"query_seconds", query_seconds},
                           {"wall_seconds", SecondsSince(wall_start)}};
      if (json_out) {
        std::printf("%s\n", report.dump().c_str());
      } else {
        PrintReport(report);
      }
      if (exit_code != 0) {
        std::fprintf(stderr, "the server exited with %d after SIGTERM; stderr:\n%s\n", exit_code,
                     Tail(server.Stderr(), 2000).c_str());
        rc = 1;
      }
    } catch (const std::exception& e) {
      // RunFailure, or a reply that lacked a member this program reads (nlohmann throws).
      std::fprintf(stderr, "alarm_budget failed: %s\n", e.what());
      server.Kill();
      rc = 1;
    }
  }
  if (keep_dir) {
    std::fprintf(stderr, "kept %s (data/, server.stdout.log, server.stderr.log)\n", root.c_str());
  } else {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // before the server started, or while cleaning up
    std::fprintf(stderr, "alarm_budget failed: %s\n", e.what());
    return 1;
  }
}

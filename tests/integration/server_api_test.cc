// `llmscope serve` end to end over real sockets on 127.0.0.1, each test against its own child
// server process and SQLite file in a temporary directory. Proves: the original LLMscope payload
// is ingested and comes back as the original's column arrays; a series learns 100 points,
// freezes asymmetric (log) limits and logs an R1 violation whose context fills in as later
// points arrive, with the acknowledge/resolve workflow, CSV export and filters; batches are all
// or nothing; every kind of bad input gets a 4xx JSON error naming the problem and stores
// nothing; every route needs the key (reads can be opened); a missing key is generated once,
// stored 0600 and never logged; re-baselining returns a series to learning; /metrics is valid
// Prometheus text; the SSE stream delivers samples, is capped and cannot starve the API; SIGTERM
// stops the server cleanly.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.h"

namespace {

using llmscope::testing::Auth;
using llmscope::testing::Reply;
using llmscope::testing::ServerOptions;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kSeriesQuery[] = "/api/stats/spc?provider=ollama&model=llama3&metric=e2e_ms";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-23T15:04:05.123Z", the server's own format.
std::string IsoUtc(int64_t ms) {
  const time_t seconds = static_cast<time_t>(ms / 1000);
  tm t{};
  gmtime_r(&seconds, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// A deterministic in-control latency series around 2000 ms.
double InControl(int i) {
  return 2000.0 * std::exp(0.05 * std::sin(static_cast<double>(i)));
}

json Sample(double latency_ms, const std::string& provider = "ollama",
            const std::string& model = "llama3") {
  return json{{"provider", provider}, {"model", model}, {"latency_ms", latency_ms}};
}

json Parse(const Reply& r) {
  return json::parse(r.body, nullptr, false);
}

// Posts `body` and expects 200; returns the acknowledged ids.
std::vector<int64_t> Ingest(const ServerProcess& s, const json& body) {
  const Reply r = s.Call("POST", "/api/stats", body.dump());
  EXPECT_EQ(r.status, 200) << r.body << r.transport_error;
  const json j = Parse(r);
  if (r.status != 200 || !j.contains("ids")) return {};
  return j["ids"].get<std::vector<int64_t>>();
}

int64_t StoredCount(const ServerProcess& s) {
  const Reply r = s.Call("GET", "/api/stats");
  EXPECT_EQ(r.status, 200) << r.body;
  const json j = Parse(r);
  return j.is_object() && j.contains("count") ? j["count"].get<int64_t>() : -1;
}

json GetJson(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  return Parse(r);
}

// The e2e_ms series of ollama/llama3 in GET /api/series (null when absent).
json SeriesEntry(const ServerProcess& s, const std::string& provider = "ollama",
                 const std::string& model = "llama3") {
  const json list = GetJson(s, "/api/series");
  for (const json& e : list["series"]) {
    if (e["provider"] == provider && e["model"] == model && e["metric"] == "e2e_ms") return e;
  }
  return nullptr;
}

// 100 in-control points in one batch, then a spike of 20000 ms with its own telemetry.
// Returns the ids of all 101 samples.
std::vector<int64_t> FeedBaselineAndSpike(const ServerProcess& s) {
  json batch = json::array();
  for (int i = 0; i < 100; ++i) batch.push_back(Sample(InControl(i)));
  std::vector<int64_t> ids = Ingest(s, json{{"samples", batch}});
  json spike = Sample(20000);
  spike["cpu_percent"] = 95.5;
  spike["memory_percent"] = 61.25;
  spike["gpu_percent"] = 99;
  std::vector<int64_t> more = Ingest(s, spike);
  ids.insert(ids.end(), more.begin(), more.end());
  return ids;
}

// Checks the error contract: the status, Content-Type JSON, {"error": {"code", "message"}} with
// exactly these two string members, the code, and a message containing `mentions`.
void ExpectError(const Reply& r, int status, const std::string& code, const std::string& mentions,
                 const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(r.status, status) << r.body << r.transport_error;
  EXPECT_NE(r.Header("Content-Type").find("application/json"), std::string::npos)
      << r.Header("Content-Type");
  const json j = Parse(r);
  ASSERT_TRUE(j.is_object()) << r.body;
  ASSERT_EQ(j.size(), 1u) << r.body;
  ASSERT_TRUE(j.contains("error") && j["error"].is_object()) << r.body;
  const json& e = j["error"];
  ASSERT_EQ(e.size(), 2u) << r.body;
  ASSERT_TRUE(e["code"].is_string() && e["message"].is_string()) << r.body;
  EXPECT_EQ(e["code"], code) << r.body;
  EXPECT_NE(e["message"].get<std::string>().find(mentions), std::string::npos)
      << "message should mention '" << mentions << "': " << r.body;
}

// A raw HTTP/1.1 client for GET /api/stream: reads the status, the headers and the (chunked)
// body as it arrives, with bounded waits.
class StreamClient {
 public:
  StreamClient() = default;
  ~StreamClient() {
    if (fd_ >= 0) close(fd_);
  }
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;

  bool Open(int port, const std::string& authorization) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    std::string request =
        "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: text/event-stream\r\nConnection: close\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    request += "\r\n";
    return send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(request.size());
  }

  // The response status, once the headers are in; 0 when they did not come within `timeout`.
  int Status(std::chrono::milliseconds timeout) {
    ReadUntil([this](const std::string&) { return headers_done_; }, timeout);
    return status_;
  }
  const std::string& headers() const { return header_text_; }

  // Reads until `done(body)` holds (body: the decoded body so far) or `timeout` passes.
  bool ReadUntil(const std::function<bool(const std::string&)>& done,
                 std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done(body_)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || eof_) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 100))) <= 0) continue;
      char buf[16384];
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      raw_.append(buf, static_cast<size_t>(n));
      Decode();
    }
    return true;
  }
  const std::string& body() const { return body_; }

 private:
  void Decode() {
    if (!headers_done_) {
      const size_t end = raw_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      header_text_ = raw_.substr(0, end + 2);
      raw_.erase(0, end + 4);
      headers_done_ = true;
      if (header_text_.rfind("HTTP/1.1 ", 0) == 0) status_ = std::stoi(header_text_.substr(9, 3));
      std::string lower = header_text_;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      chunked_ = lower.find("transfer-encoding: chunked") != std::string::npos;
    }
    if (!chunked_) {
      body_ += raw_;
      raw_.clear();
      return;
    }
    while (true) {
      const size_t line_end = raw_.find("\r\n");
      if (line_end == std::string::npos) return;
      const size_t size = std::stoul(raw_.substr(0, line_end), nullptr, 16);
      if (raw_.size() < line_end + 2 + size + 2) return;
      body_ += raw_.substr(line_end + 2, size);
      raw_.erase(0, line_end + 2 + size + 2);
      if (size == 0) return;
    }
  }

  int fd_ = -1;
  std::string raw_, header_text_, body_;
  bool headers_done_ = false, chunked_ = false, eof_ = false;
  int status_ = 0;
};

struct SseFrame {
  std::string event, data;
};

std::vector<SseFrame> Frames(const std::string& body) {
  std::vector<SseFrame> out;
  size_t pos = 0;
  while (true) {
    const size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::istringstream block(body.substr(pos, end - pos));
    SseFrame f;
    std::string line;
    while (std::getline(block, line)) {
      if (line.rfind("event: ", 0) == 0) f.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) f.data += line.substr(6);
    }
    if (!f.event.empty()) out.push_back(f);
    pos = end + 2;
  }
  return out;
}

// The "sample" frame for sample `id`, or null.
json SampleFrame(const std::string& body, int64_t id) {
  for (const SseFrame& f : Frames(body)) {
    if (f.event != "sample") continue;
    json j = json::parse(f.data, nullptr, false);
    if (j.is_object() && j.value("id", int64_t{-1}) == id) return j;
  }
  return nullptr;
}

bool HasHello(const std::string& body) {
  for (const SseFrame& f : Frames(body)) {
    if (f.event == "hello") return true;
  }
  return false;
}

constexpr auto kWait = std::chrono::milliseconds(10000);

// ---------------------------------------------------------------------------------------------

TEST(ServerApiTest, IngestsTheOriginalPayloadAndReturnsTheColumnArrays) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const int64_t time_ms = (NowMs() / 1000 - 60) * 1000 + 250;
  const json sample = {{"provider", "ollama"},
                       {"model", "llama3"},
                       {"latency_ms", 1234.5},
                       {"timestamp", IsoUtc(time_ms)},
                       {"total_duration_ms", 1200.25},
                       {"load_duration_ms", 10.5},
                       {"prompt_eval_duration_ms", 100.75},
                       {"eval_duration_ms", 1000.5},
                       {"prompt_eval_count", 12},
                       {"eval_count", 80},
                       {"cpu_percent", 12.5},
                       {"memory_percent", 40.25},
                       {"gpu_percent", 75},
                       {"prompt_hash", "abc123"},
                       {"prompt_text", "Say hi"}};
  const Reply r = server->Call("POST", "/api/stats", sample.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json receipt = Parse(r);
  EXPECT_EQ(receipt["status"], "ok");
  EXPECT_EQ(receipt["logged"], true);
  EXPECT_EQ(receipt["count"], 1);
  ASSERT_EQ(receipt["ids"].size(), 1u);
  const int64_t id = receipt["ids"][0].get<int64_t>();
  EXPECT_GT(id, 0);
  EXPECT_EQ(receipt["violations_detected"], 0);

  const json stats = GetJson(*server, "/api/stats");
  EXPECT_EQ(stats["count"], 1);
  EXPECT_EQ(stats["first_time"], IsoUtc(time_ms));
  EXPECT_EQ(stats["last_time"], IsoUtc(time_ms));
  EXPECT_EQ(stats["violations"], 0);

  const json spc = GetJson(*server, kSeriesQuery);
  EXPECT_EQ(spc["count"], 1);
  EXPECT_EQ(spc["timestamps"], json::array({IsoUtc(time_ms)}));
  EXPECT_EQ(spc["values"], json::array({1234.5}));
  EXPECT_EQ(spc["models"], json::array({"llama3"}));
  EXPECT_EQ(spc["providers"], json::array({"ollama"}));
  EXPECT_EQ(spc["total_durations"], json::array({1200.25}));
  EXPECT_EQ(spc["eval_durations"], json::array({1000.5}));
  EXPECT_EQ(spc["prompt_counts"], json::array({12}));
  EXPECT_EQ(spc["eval_counts"], json::array({80}));
  EXPECT_EQ(spc["cpu_percents"], json::array({12.5}));
  EXPECT_EQ(spc["memory_percents"], json::array({40.25}));
  EXPECT_EQ(spc["gpu_percents"], json::array({75}));
  EXPECT_EQ(spc["prompt_hashes"], json::array({"abc123"}));
  EXPECT_EQ(spc["ids"], json::array({id}));
  EXPECT_EQ(spc["series"]["provider"], "ollama");
  EXPECT_EQ(spc["series"]["metric"], "e2e_ms");
  ASSERT_TRUE(spc["chart"].is_object()) << spc.dump();
  EXPECT_EQ(spc["chart"]["state"], "learning");
  EXPECT_EQ(spc["chart"]["transform"], "log");
  EXPECT_EQ(spc["chart"]["baseline_size"], 100);
  EXPECT_EQ(spc["chart"]["learning_points"], 1);
  EXPECT_TRUE(spc["limits"].is_null()) << "one point gives no limits: " << spc["limits"];
  ASSERT_TRUE(spc["stages"].is_array());
  ASSERT_TRUE(spc["summary"].is_object());
  EXPECT_EQ(spc["summary"]["count"], 1);
  EXPECT_EQ(spc["summary"]["max"], 1234.5);
  EXPECT_EQ(spc["violations"], json::array());

  // A series that does not exist answers with empty columns, and a bad parameter with 400.
  const json other = GetJson(*server, "/api/stats/spc?provider=ollama&model=other");
  EXPECT_EQ(other["count"], 0);
  EXPECT_EQ(other["values"], json::array());
  ExpectError(server->Call("GET", "/api/stats/spc?provider=ollama&model=llama3&metric=speed"), 400,
              "invalid_parameter", "metric", "unknown metric");
}

TEST(ServerApiTest, SpikeAfterBaselineOpensAnR1ViolationWithContextAndWorkflow) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  json batch = json::array();
  for (int i = 0; i < 100; ++i) batch.push_back(Sample(InControl(i)));
  std::vector<int64_t> ids = Ingest(*server, json{{"samples", batch}});
  ASSERT_EQ(ids.size(), 100u);

  // 100 points: the stage froze; the series is monitoring with asymmetric (log) limits.
  json series = SeriesEntry(*server);
  ASSERT_TRUE(series.is_object());
  EXPECT_EQ(series["state"], "in_control");
  EXPECT_EQ(series["points"], 100);
  EXPECT_EQ(series["transform"], "log");
  ASSERT_TRUE(series.contains("limits")) << series.dump();
  const json limits = series["limits"];
  const double ucl = limits["ucl"], cl = limits["cl"], lcl = limits["lcl"];
  EXPECT_GT(ucl, cl);
  EXPECT_GT(cl, lcl);
  EXPECT_GT(lcl, 0);
  EXPECT_GT(ucl - cl, cl - lcl) << "log limits are wider above the center";
  EXPECT_GT(cl, 1900);
  EXPECT_LT(cl, 2100);
  EXPECT_LT(ucl, 20000);
  json spc = GetJson(*server, kSeriesQuery);
  EXPECT_EQ(spc["chart"]["state"], "monitoring");
  EXPECT_EQ(spc["chart"]["limits_provisional"], false);
  EXPECT_EQ(spc["limits"], limits);
  ASSERT_EQ(spc["stages"].size(), 1u) << spc["stages"].dump();
  EXPECT_EQ(spc["stages"][0]["frozen"], true);
  EXPECT_EQ(spc["stages"][0]["baseline_size"], 100);
  EXPECT_EQ(spc["stages"][0]["limits"], limits);

  // The spike: one R1 event at index 100, judged by those limits.
  json spike = Sample(20000);
  spike["cpu_percent"] = 95.5;
  spike["memory_percent"] = 61.25;
  spike["gpu_percent"] = 99;
  const Reply posted = server->Call("POST", "/api/stats", spike.dump());
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_GE(Parse(posted)["violations_detected"].get<int>(), 1);
  ids.push_back(Parse(posted)["ids"][0].get<int64_t>());

  json list = GetJson(*server, "/api/violations?rule=R1");
  std::vector<json> r1;
  for (const json& v : list["violations"]) {
    if (v["phase"] == "monitoring") r1.push_back(v);
  }
  ASSERT_EQ(r1.size(), 1u) << list.dump();
  json v = r1[0];
  const int64_t vid = v["id"];
  EXPECT_EQ(v["rule"], "R1");
  EXPECT_EQ(v["provider"], "ollama");
  EXPECT_EQ(v["model"], "llama3");
  EXPECT_EQ(v["metric"], "e2e_ms");
  EXPECT_EQ(v["first_index"], 100);
  EXPECT_EQ(v["last_index"], 100);
  EXPECT_EQ(v["count"], 1);
  EXPECT_EQ(v["value"], 20000.0);
  EXPECT_EQ(v["status"], "open");
  EXPECT_EQ(v["limits"], limits);
  EXPECT_GT(v["deviation_sigma"].get<double>(), 3.0);
  // An exact-chart firing is an info signal: it is logged and drawn, but the series' state
  // follows its alarm detector, which one spike does not move.
  EXPECT_EQ(v["severity"], "info");
  EXPECT_EQ(v["detected_time_ms"], v["first_time_ms"]);
  EXPECT_EQ(SeriesEntry(*server)["state"], "in_control");
  spc = GetJson(*server, kSeriesQuery);
  bool in_window = false;
  for (const json& w : spc["violations"]) in_window |= w["id"] == vid;
  EXPECT_TRUE(in_window) << spc["violations"].dump();
  EXPECT_EQ(spc["summary"]["violations_by_rule"]["R1"], 1);

  // Its context: points 90..100 now, the telemetry at the spike, the limits.
  json detail = GetJson(*server, "/api/violations/" + std::to_string(vid));
  ASSERT_TRUE(detail["context"].is_object()) << detail.dump();
  auto expect_context = [&](const json& d, int last) {
    const json& points = d["context"]["points"];
    ASSERT_EQ(points.size(), static_cast<size_t>(last - 90 + 1)) << points.dump();
    for (int i = 90; i <= last; ++i) {
      const json& p = points[i - 90];
      EXPECT_EQ(p["index"], i);
      EXPECT_EQ(p["sample_id"], ids[i]);
      EXPECT_EQ(p["value"].get<double>(), i == 100 ? 20000.0 : InControl(i)) << i;
    }
  };
  expect_context(detail, 100);
  EXPECT_EQ(detail["context"]["telemetry"]["cpu_percent"], 95.5);
  EXPECT_EQ(detail["context"]["telemetry"]["memory_percent"], 61.25);
  EXPECT_EQ(detail["context"]["telemetry"]["gpu_percent"], 99.0);
  EXPECT_EQ(detail["limits"], limits);
  ExpectError(server->Call("GET", "/api/violations/999999"), 404, "not_found", "violation",
              "unknown violation");

  // The points after fill in as they arrive: 10 more give 90..110, an 11th adds nothing.
  for (int i = 101; i <= 111; ++i) {
    std::vector<int64_t> one = Ingest(*server, Sample(InControl(i)));
    ASSERT_EQ(one.size(), 1u);
    ids.push_back(one[0]);
  }
  detail = GetJson(*server, "/api/violations/" + std::to_string(vid));
  expect_context(detail, 110);

  // Acknowledge, with the filters and the CSV export seeing the change.
  Reply ack = server->Call("POST", "/api/violations/" + std::to_string(vid) + "/acknowledge",
                           R"({"by":"tester"})");
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(Parse(ack)["status"], "acknowledged");
  EXPECT_EQ(Parse(ack)["status_by"], "tester");
  EXPECT_TRUE(Parse(ack)["status_time"].is_string());
  auto ids_of = [&](const std::string& query) {
    std::set<int64_t> out;
    const json j = GetJson(*server, "/api/violations" + query);
    for (const json& x : j["violations"]) out.insert(x["id"].get<int64_t>());
    EXPECT_EQ(j["count"].get<size_t>(), out.size());
    return out;
  };
  EXPECT_TRUE(ids_of("?status=acknowledged").count(vid));
  EXPECT_FALSE(ids_of("?status=open").count(vid));
  EXPECT_FALSE(ids_of("?status=resolved").count(vid));
  EXPECT_TRUE(ids_of("?rule=R1").count(vid));
  EXPECT_FALSE(ids_of("?rule=R2").count(vid));
  EXPECT_TRUE(ids_of("?provider=ollama").count(vid));
  EXPECT_TRUE(ids_of("?provider=nobody").empty());
  EXPECT_TRUE(ids_of("?provider=ollama&rule=R1&status=acknowledged&model=llama3").count(vid));
  ExpectError(server->Call("GET", "/api/violations?rule=R99"), 400, "invalid_parameter", "rule",
              "unknown rule");
  ExpectError(server->Call("GET", "/api/violations?status=closed"), 400, "invalid_parameter",
              "status", "unknown status");

  const Reply csv = server->Call("GET", "/api/export/violations?rule=R1");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.Header("Content-Type").find("text/csv"), std::string::npos);
  std::istringstream lines(csv.body);
  std::string header, line, row;
  std::getline(lines, header);
  EXPECT_EQ(header,
            "id,provider,model,site,profile,metric,rule,phase,stage,first_index,last_index,count,"
            "first_time,last_time,value,worst_value,deviation_sigma,cl,ucl,lcl,status,status_by,"
            "cpu_percent,memory_percent,gpu_percent,gpu_memory_percent,gpu_temp_c");
  const std::string prefix = std::to_string(vid) + ",ollama,llama3,,,e2e_ms,R1,monitoring," +
                             std::to_string(v["stage"].get<int>()) + ",100,100,1,";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) row = line;
  }
  ASSERT_FALSE(row.empty()) << "no row starting with " << prefix << " in\n" << csv.body;
  EXPECT_NE(row.find(",20000,20000,"), std::string::npos) << row;
  // The telemetry at the spike, as the violation's context holds it (no GPU memory or temperature).
  EXPECT_EQ(row.substr(row.size() - std::string(",acknowledged,tester,95.5,61.25,99,,").size()),
            ",acknowledged,tester,95.5,61.25,99,,");

  // Resolve.
  Reply resolved = server->Call("POST", "/api/violations/" + std::to_string(vid) + "/resolve", "");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(Parse(resolved)["status"], "resolved");
  EXPECT_EQ(Parse(resolved)["status_by"], "api");
  EXPECT_TRUE(ids_of("?status=resolved").count(vid));
  EXPECT_FALSE(ids_of("?status=acknowledged").count(vid));
  EXPECT_EQ(GetJson(*server, "/api/violations/" + std::to_string(vid))["status"], "resolved");
  ExpectError(server->Call("POST", "/api/violations/999999/resolve", ""), 404, "not_found", "",
              "resolve an unknown violation");
  ExpectError(server->Call("POST", "/api/violations/" + std::to_string(vid) + "/acknowledge",
                           R"({"by":17})"),
              400, "invalid_field", "by", "a name that is not a string");
}

TEST(ServerApiTest, BatchIsAllOrNothing) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  ASSERT_EQ(Ingest(*server, Sample(1000)).size(), 1u);
  ASSERT_EQ(StoredCount(*server), 1);

  auto batch_with = [](const json& bad) {
    json items = json::array();
    for (int i = 0; i < 6; ++i) items.push_back(i == 3 ? bad : Sample(1000 + i));
    return json{{"samples", items}};
  };
  json wrong_type = Sample(1);
  wrong_type["latency_ms"] = "slow";
  ExpectError(server->Call("POST", "/api/stats", batch_with(wrong_type).dump()), 400,
              "invalid_field", "samples[3].latency_ms", "item 3 with a string latency");
  ExpectError(server->Call("POST", "/api/stats", batch_with(json{{"provider", "p"}}).dump()), 400,
              "missing_field", "samples[3].model", "item 3 without a model");
  json typo = Sample(1);
  typo.erase("latency_ms");
  typo["latnecy_ms"] = 5;
  ExpectError(server->Call("POST", "/api/stats", batch_with(typo).dump()), 400, "missing_field",
              "samples[3]: no measurement", "item 3 with a misspelt latency, so no measurement");
  json huge = Sample(1e300);
  ExpectError(server->Call("POST", "/api/stats", batch_with(huge).dump()), 400, "invalid_field",
              "samples[3].latency_ms", "item 3 with a latency beyond the bound");
  ExpectError(server->Call("POST", "/api/stats", batch_with(json(42)).dump()), 400, "invalid_field",
              "samples[3]", "item 3 not an object");
  EXPECT_EQ(StoredCount(*server), 1) << "nothing of a refused batch is stored";
  EXPECT_EQ(GetJson(*server, kSeriesQuery)["count"], 1);

  ExpectError(server->Call("POST", "/api/stats", R"({"samples":[]})"), 400, "invalid_field",
              "samples", "an empty batch");
  ExpectError(server->Call("POST", "/api/stats", R"({"samples":{}})"), 400, "invalid_field",
              "samples", "samples not an array");
  ExpectError(server->Call("POST", "/api/stats", R"({"samples":[],"extra":1})"), 400,
              "unknown_field", "samples", "a batch with another member");

  const std::vector<int64_t> ids = Ingest(*server, batch_with(Sample(1003)));
  ASSERT_EQ(ids.size(), 6u);
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
  EXPECT_EQ(StoredCount(*server), 7);
}

TEST(ServerApiTest, BadInputGets4xxJsonErrorsAndStoresNothing) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  ASSERT_EQ(Ingest(*server, Sample(1000)).size(), 1u);

  auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return server->Call("POST", "/api/stats", body, Auth::kKey, type);
  };
  auto with = [](const std::string& key, const json& value) {
    json s = Sample(1000);
    s[key] = value;
    return s.dump();
  };
  ExpectError(post(R"({"provider": "p", "model": "m", "latency_ms": 12,,})"), 400, "invalid_json",
              "not valid JSON", "malformed JSON");
  ExpectError(post(R"({"provider": "p", "model": )"), 400, "invalid_json", "not valid JSON",
              "truncated JSON");
  ExpectError(post(with("latency_ms", "12")), 400, "invalid_field", "latency_ms",
              "latency_ms as a string");
  ExpectError(post(with("prompt_eval_count", 1.5)), 400, "invalid_field", "prompt_eval_count",
              "a fractional count");
  ExpectError(post(R"({"model": "m", "latency_ms": 12})"), 400, "missing_field", "provider",
              "missing provider");
  ExpectError(post(R"({"provider": "p", "latency_ms": 12})"), 400, "missing_field", "model",
              "missing model");
  ExpectError(post(with("provider", "")), 400, "missing_field", "provider", "empty provider");
  ExpectError(post(with("latency_ms", -1)), 400, "invalid_field", "latency_ms", "negative latency");
  // NaN cannot be written in JSON; 1e999 overflows a double. The JSON parser refuses it.
  ExpectError(post(R"({"provider": "p", "model": "m", "latency_ms": 1e999})"), 400, "invalid_json",
              "not valid JSON", "latency 1e999 (infinite)");
  ExpectError(post(with("cpu_percent", 101)), 400, "invalid_field", "cpu_percent",
              "a percent above 100");
  ExpectError(post(with("timestamp", IsoUtc(NowMs() + 24 * 3600 * 1000))), 400, "invalid_field",
              "timestamp", "a timestamp a day ahead");
  ExpectError(post(with("timestamp", "2999-01-01T00:00:00Z")), 400, "invalid_field", "timestamp",
              "a timestamp far in the future");
  ExpectError(post(with("timestamp", "yesterday")), 400, "invalid_field", "timestamp",
              "a timestamp that is no time");
  ExpectError(post(R"({"provider": "p", "model": "m", "latnecy_ms": 12})"), 400, "missing_field",
              "no measurement", "a misspelt latency, so no measurement");
  ExpectError(post(with("latency_ms", 1e300)), 400, "invalid_field", "max_latency_ms",
              "a latency over a day");
  ExpectError(post(with("provider", std::string(201, 'p'))), 400, "invalid_field", "provider",
              "a provider of 201 bytes");
  ExpectError(post(with("model", "a\nb")), 400, "invalid_field", "model",
              "a model with a control character");
  ExpectError(post(with("prompt_text", std::string(64 * 1024 + 1, 't'))), 400, "invalid_field",
              "prompt_text", "a prompt text over 64 KiB");
  ExpectError(post(with("prompt_text", std::string((1 << 20) + 1000, 't'))), 413, "body_too_large",
              "too large", "a body over 1 MiB");
  ExpectError(post("{\"provider\": \"ol\xff\xfe\", \"model\": \"m\", \"latency_ms\": 12}"), 400,
              "invalid_json", "not valid JSON", "invalid UTF-8");
  ExpectError(post(""), 400, "invalid_json", "not valid JSON", "an empty body");
  ExpectError(post(R"([{"provider": "p", "model": "m", "latency_ms": 12}])"), 400, "invalid_field",
              "JSON object", "an array at the top level");
  ExpectError(post("12"), 400, "invalid_field", "JSON object", "a number at the top level");
  ExpectError(post(Sample(5).dump(), "text/plain"), 415, "unsupported_media_type", "json",
              "a body that is not JSON by its type");
  ExpectError(server->Call("GET", "/api/nothing-here"), 404, "not_found", "route",
              "an unknown route");

  // The server lives on and stored nothing of all that.
  const Reply health = server->Call("GET", "/health", "", Auth::kNone);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(Parse(health)["status"], "ok");
  EXPECT_EQ(Parse(health)["samples"], 1);
  EXPECT_EQ(StoredCount(*server), 1);
  EXPECT_TRUE(server->Running());
}

// Each route under /api and /metrics, with a body that is valid where one is needed.
struct Route {
  std::string method, path, body;
};
const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> routes = {
      {"POST", "/api/stats", Sample(1500).dump()},
      {"GET", "/api/stats", ""},
      {"GET", "/api/stats/spc?provider=ollama&model=llama3", ""},
      {"GET", "/api/series", ""},
      {"POST", "/api/series/ollama/llama3/e2e_ms/stages", ""},
      {"GET", "/api/violations", ""},
      {"GET", "/api/violations/1", ""},
      {"POST", "/api/violations/1/acknowledge", R"({"by":"tester"})"},
      {"POST", "/api/violations/1/resolve", R"({"by":"tester"})"},
      {"GET", "/api/export/violations", ""},
      {"GET", "/api/system", ""},
      {"GET", "/api/stream", ""},
      {"GET", "/metrics", ""},
  };
  return routes;
}

// The status of GET /api/stream (read from the headers; the stream itself is left open).
int StreamStatus(const ServerProcess& s, Auth auth) {
  StreamClient c;
  std::string authorization;
  if (auth == Auth::kKey) authorization = "Bearer " + s.api_key();
  if (auth == Auth::kWrongKey) authorization = "Bearer " + s.api_key() + "x";
  if (!c.Open(s.port(), authorization)) return 0;
  return c.Status(kWait);
}

Reply CallRoute(const ServerProcess& s, const Route& r, Auth auth) {
  if (r.path == "/api/stream") {
    Reply out;
    out.status = StreamStatus(s, auth);
    return out;
  }
  return s.Call(r.method, r.path, r.body, auth);
}

TEST(ServerApiTest, EveryApiRouteAndMetricsNeedTheKey) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  ASSERT_EQ(Ingest(*server, Sample(1500)).size(), 1u);
  for (const Route& route : AllRoutes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    for (Auth auth : {Auth::kNone, Auth::kWrongKey}) {
      const Reply r = server->Call(route.method, route.path, route.body, auth);
      ExpectError(r, 401, "unauthorized", auth == Auth::kNone ? "Bearer" : "not valid",
                  auth == Auth::kNone ? "no key" : "wrong key");
      EXPECT_EQ(r.Header("WWW-Authenticate"), "Bearer");
    }
    const Reply ok = CallRoute(*server, route, Auth::kKey);
    EXPECT_NE(ok.status, 401) << ok.body;
    EXPECT_NE(ok.status, 0) << ok.transport_error;
    EXPECT_LT(ok.status, 500) << ok.body;
  }
  // Other spellings of the header are refused too.
  for (const std::string& header :
       {std::string("Bearer"), std::string("Bearer "), "bearer " + server->api_key(),
        "Basic " + server->api_key(), server->api_key(), "Bearer  " + server->api_key(),
        "Bearer " + server->api_key().substr(0, 10)}) {
    auto c = server->Client();
    httplib::Result r = c->Get("/api/stats", {{"Authorization", header}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << "Authorization: " << header;
  }
  // /health is open, and unknown paths under /api are refused before routing.
  EXPECT_EQ(server->Call("GET", "/health", "", Auth::kNone).status, 200);
  EXPECT_EQ(server->Call("GET", "/api/does-not-exist", "", Auth::kNone).status, 401);
  EXPECT_EQ(StoredCount(*server), 2) << "only the authorized POST stored a sample";
}

void ExpectPublicReads(const ServerProcess& s) {
  for (const Route& route : AllRoutes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    if (route.method == "GET") {
      const Reply r = CallRoute(s, route, Auth::kNone);
      EXPECT_NE(r.status, 401) << r.body;
      EXPECT_NE(r.status, 0) << r.transport_error;
    } else {
      const Reply r = s.Call(route.method, route.path, route.body, Auth::kNone);
      ExpectError(r, 401, "unauthorized", "Bearer", "a POST without a key");
      const Reply wrong = s.Call(route.method, route.path, route.body, Auth::kWrongKey);
      EXPECT_EQ(wrong.status, 401);
    }
  }
}

TEST(ServerApiTest, PublicReadsFlagOpensGetRoutesOnly) {
  ServerOptions o;
  o.extra_args = {"--public-reads"};
  auto server = StartServer(LLMSCOPE_BINARY, o);
  ASSERT_TRUE(server);
  ExpectPublicReads(*server);
  EXPECT_EQ(StoredCount(*server), 0);
}

TEST(ServerApiTest, PublicReadsFromTheEnvironmentOpensGetRoutesOnly) {
  ServerOptions o;
  o.env = {{"LLMSCOPE_SERVER_PUBLIC_READS", "true"}};
  auto server = StartServer(LLMSCOPE_BINARY, o);
  ASSERT_TRUE(server);
  ExpectPublicReads(*server);
}

TEST(ServerApiTest, WithoutAKeyTheFirstStartGeneratesOneAndPrintsItOnce) {
  ServerOptions o;
  o.set_api_key = false;
  auto server = StartServer(LLMSCOPE_BINARY, o);
  ASSERT_TRUE(server);
  const std::string key_file = server->data_dir() + "/api_key";
  struct stat st {};
  ASSERT_EQ(stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string key = server->api_key();
  ASSERT_GE(key.size(), 32u);
  const std::string out1 = server->Stdout(1);
  EXPECT_NE(out1.find(key), std::string::npos) << out1;
  EXPECT_EQ(out1.find(key), out1.rfind(key)) << "printed once: " << out1;
  EXPECT_EQ(server->Stderr(1).find(key), std::string::npos) << "the log holds the key";
  EXPECT_NE(server->Stderr(1).find("listening on http://127.0.0.1:"), std::string::npos);
  EXPECT_EQ(server->Call("GET", "/api/stats").status, 200);
  EXPECT_EQ(server->Call("GET", "/api/stats", "", Auth::kNone).status, 401);

  ASSERT_EQ(server->Stop(), 0);
  std::string error;
  ASSERT_TRUE(server->Start(&error)) << error;
  EXPECT_EQ(server->api_key(), key) << "the second start keeps the key";
  EXPECT_EQ(server->Stdout(2).find(key), std::string::npos) << server->Stdout(2);
  EXPECT_EQ(server->Stderr(2).find(key), std::string::npos);
  EXPECT_EQ(server->Call("GET", "/api/stats").status, 200);
  ASSERT_EQ(stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST(ServerApiTest, NewStageSendsTheSeriesBackToLearning) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  json batch = json::array();
  for (int i = 0; i < 100; ++i) batch.push_back(Sample(InControl(i)));
  ASSERT_EQ(Ingest(*server, json{{"samples", batch}}).size(), 100u);
  ASSERT_EQ(SeriesEntry(*server)["state"], "in_control");

  const Reply r = server->Call("POST", "/api/series/ollama/llama3/e2e_ms/stages", "");
  ASSERT_EQ(r.status, 201) << r.body;
  const json stage = Parse(r);
  EXPECT_EQ(stage["frozen"], false);
  EXPECT_EQ(stage["number"], 1) << "stages count from 0";
  EXPECT_EQ(stage["start_index"], 100);
  EXPECT_EQ(stage["series"]["metric"], "e2e_ms");
  json series = SeriesEntry(*server);
  EXPECT_EQ(series["state"], "learning");
  EXPECT_EQ(series["learning_points"], 0);
  EXPECT_EQ(GetJson(*server, kSeriesQuery)["chart"]["state"], "learning");
  const json stages = GetJson(*server, kSeriesQuery)["stages"];
  ASSERT_EQ(stages.size(), 2u) << stages.dump();
  EXPECT_EQ(stages[0]["number"], 0);
  EXPECT_EQ(stages[0]["frozen"], true);
  EXPECT_EQ(stages[1]["number"], 1);
  EXPECT_EQ(stages[1]["frozen"], false);

  // The new stage learns from the points that follow.
  ASSERT_EQ(Ingest(*server, Sample(3000)).size(), 1u);
  EXPECT_EQ(SeriesEntry(*server)["learning_points"], 1);

  ExpectError(server->Call("POST", "/api/series/nobody/nothing/e2e_ms/stages", ""), 404,
              "not_found", "nobody", "an unknown series");
  ExpectError(server->Call("POST", "/api/series/ollama/llama3/speed/stages", ""), 404, "not_found",
              "series path", "an unknown metric");
  ExpectError(server->Call("POST", "/api/series/ollama/llama3/e2e_ms/stages", R"({"from":1})"), 400,
              "unknown_field", "from", "an unknown body field");
}

TEST(ServerApiTest, MetricsAreValidPrometheusText) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  FeedBaselineAndSpike(*server);
  const Reply r = server->Call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("Content-Type").find("text/plain"), std::string::npos);
  const std::string& text = r.body;
  const std::string labels = R"(provider="ollama",model="llama3",site="",profile="")";
  EXPECT_NE(text.find("llmscope_samples_total{" + labels + "} 101\n"), std::string::npos) << text;
  EXPECT_NE(text.find("llmscope_latency_seconds_bucket{" + labels +
                      R"(,metric="e2e_ms",le="+Inf"} 101)" + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("llmscope_latency_seconds_count{" + labels + R"(,metric="e2e_ms"} 101)"),
            std::string::npos);
  EXPECT_NE(text.find("llmscope_violations_total{" + labels + R"(,metric="e2e_ms",rule="R1",severity="info"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("llmscope_build_info{"), std::string::npos);
  EXPECT_NE(text.find("llmscope_open_violations "), std::string::npos);

  // The exposition grammar, line by line; each sample's family is declared by a TYPE line.
  const std::regex comment(
      R"(^# (?:HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* )"
      R"((?:counter|gauge|histogram|summary|untyped))$)");
  const std::string label = R"([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")";
  const std::regex sample("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(" + label + "(," + label +
                          ")*)?\\})? (NaN|[+-]Inf|[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?)"
                          "( -?\\d+)?$");
  std::set<std::string> typed;
  std::map<std::string, int> le_inf;
  std::istringstream lines(text);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
      if (line.rfind("# TYPE ", 0) == 0) typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << "not exposition format: " << line;
    ++samples;
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s = suffix;
      if (!typed.count(family) && family.size() > s.size() &&
          family.compare(family.size() - s.size(), s.size(), s) == 0) {
        family.resize(family.size() - s.size());
      }
    }
    EXPECT_TRUE(typed.count(family)) << "no TYPE before " << line;
  }
  EXPECT_GT(samples, 10);
  EXPECT_EQ(text.back(), '\n');
}

TEST(ServerApiTest, StreamDeliversNewSamplesAsServerSentEvents) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  StreamClient stream;
  ASSERT_TRUE(stream.Open(server->port(), "Bearer " + server->api_key()));
  ASSERT_EQ(stream.Status(kWait), 200) << stream.headers();
  EXPECT_NE(stream.headers().find("text/event-stream"), std::string::npos) << stream.headers();
  ASSERT_TRUE(stream.ReadUntil(HasHello, kWait)) << stream.body();

  json sample = Sample(1777.25);
  sample["cpu_percent"] = 33.5;
  sample["prompt_hash"] = "h1";
  const std::vector<int64_t> ids = Ingest(*server, sample);
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(stream.ReadUntil(
      [&](const std::string& body) { return !SampleFrame(body, ids[0]).is_null(); }, kWait))
      << stream.body();
  const json frame = SampleFrame(stream.body(), ids[0]);
  EXPECT_EQ(frame["provider"], "ollama");
  EXPECT_EQ(frame["model"], "llama3");
  EXPECT_EQ(frame["e2e_ms"], 1777.25);
  EXPECT_EQ(frame["cpu_percent"], 33.5);
  EXPECT_EQ(frame["prompt_hash"], "h1");

  // A batch arrives as one frame per sample, in order.
  const std::vector<int64_t> batch =
      Ingest(*server, json{{"samples", {Sample(1), Sample(2), Sample(3)}}});
  ASSERT_EQ(batch.size(), 3u);
  ASSERT_TRUE(stream.ReadUntil(
      [&](const std::string& body) { return !SampleFrame(body, batch[2]).is_null(); }, kWait));
  std::vector<int64_t> seen;
  for (const SseFrame& f : Frames(stream.body())) {
    if (f.event == "sample") seen.push_back(json::parse(f.data)["id"].get<int64_t>());
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{ids[0], batch[0], batch[1], batch[2]}));
}

TEST(ServerApiTest, StreamClientsAreCappedAndDoNotStarveTheApi) {
  ServerOptions o;
  o.env = {{"LLMSCOPE_SERVER_MAX_STREAM_CLIENTS", "4"}};
  auto server = StartServer(LLMSCOPE_BINARY, o);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<StreamClient>> streams;
  for (int i = 0; i < 4; ++i) {
    streams.push_back(std::make_unique<StreamClient>());
    ASSERT_TRUE(streams.back()->Open(server->port(), "Bearer " + server->api_key()));
    ASSERT_EQ(streams.back()->Status(kWait), 200) << i;
    ASSERT_TRUE(streams.back()->ReadUntil(HasHello, kWait)) << i;
  }
  // The fifth is refused with a JSON 503.
  StreamClient extra;
  ASSERT_TRUE(extra.Open(server->port(), "Bearer " + server->api_key()));
  ASSERT_EQ(extra.Status(kWait), 503) << extra.headers();
  ASSERT_TRUE(extra.ReadUntil(
      [](const std::string& body) { return json::parse(body, nullptr, false).is_object(); }, kWait))
      << extra.body();
  const json refused = json::parse(extra.body());
  EXPECT_EQ(refused["error"]["code"], "too_many_streams");
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("4"), std::string::npos);

  // While the 4 streams hold their threads, 8 clients at once still get answers.
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  std::vector<int64_t> ingested(8, 0);
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const Reply get = server->Call("GET", i % 2 ? "/api/stats" : "/api/series");
        (get.status == 200 ? ok : failed)++;
      }
      const Reply post = server->Call("POST", "/api/stats", Sample(1000 + t).dump());
      (post.status == 200 ? ok : failed)++;
      if (post.status == 200) ingested[t] = json::parse(post.body)["ids"][0].get<int64_t>();
    });
  }
  for (std::thread& c : clients) c.join();
  EXPECT_EQ(ok.load(), 48);
  EXPECT_EQ(failed.load(), 0);
  // And every open stream heard every sample.
  for (size_t i = 0; i < streams.size(); ++i) {
    EXPECT_TRUE(streams[i]->ReadUntil(
        [&](const std::string& body) {
          for (int64_t id : ingested) {
            if (SampleFrame(body, id).is_null()) return false;
          }
          return true;
        },
        kWait))
        << "stream " << i << ": " << streams[i]->body();
  }
  const Reply metrics = server->Call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("llmscope_stream_clients 4\n"), std::string::npos) << metrics.body;
}

TEST(ServerApiTest, SigtermStopsCleanly) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  ASSERT_EQ(Ingest(*server, Sample(1000)).size(), 1u);
  StreamClient stream;  // an open stream must not hold the shutdown
  ASSERT_TRUE(stream.Open(server->port(), "Bearer " + server->api_key()));
  ASSERT_EQ(stream.Status(kWait), 200);
  EXPECT_EQ(server->Stop(), 0);
  const std::string log = server->Stderr();
  EXPECT_NE(
      log.find("llmscope serve: listening on http://127.0.0.1:" + std::to_string(server->port())),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("stopping (signal 15)"), std::string::npos) << log;
  EXPECT_NE(log.find("llmscope serve: stopped"), std::string::npos) << log;
  EXPECT_EQ(log.find(server->api_key()), std::string::npos) << "the key is never logged";
  EXPECT_EQ(server->Stdout().find(server->api_key()), std::string::npos);
}

}  // namespace

// LLMscope with the real Prometheus tools:
//   - the real `llmscope serve`'s /metrics passes `promtool check metrics`;
//   - a real Prometheus server, configured from deploy/prometheus/prometheus.yml and loading
//     deploy/prometheus/llmscope-rules.yml, scrapes it every second: its HTTP API returns
//     LLMscope's series, the recording rules' results, healthy rules, and an answer to every
//     PromQL expression of the Grafana dashboard;
//   - the rules pass `promtool check rules` and their unit tests (`promtool test rules`);
//   - the dashboard JSON has what Grafana's import needs, and every metric it names is one
//     that a real /metrics output has.
// promtool and prometheus come from Debian's `prometheus` package: missing, the tests that need
// them skip, or FAIL under CI=true. Every wait is bounded; everything listens on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "support/child_process.h"
#include "support/external_program.h"
#include "support/server_process.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kDeployDir = std::string(LLMSCOPE_SOURCE_DIR) + "/deploy";
constexpr int kBaseline = 100;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Replaces the one occurrence of `from` in `text` (a test failure when there is none).
void ReplaceOnce(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "'" << from << "' is not in the template";
  text.replace(at, from.size(), to);
}

// Two sources: "ollama/llama3" gets a baseline of B in-control calls with e2e and TTFT, then a
// 20 s spike (an R1 violation) and 10 failed calls; "openai/gpt-4o" a few calls with a quote and
// a backslash in its site, so the exposition's escaping is exercised.
void FeedSamples(const ServerProcess& server) {
  json batch = json::array();
  for (int i = 0; i < kBaseline; ++i) {
    const double e2e = 1000 + 50 * std::sin(i * 0.7);
    batch.push_back(
        {{"provider", "ollama"}, {"model", "llama3"}, {"e2e_ms", e2e}, {"ttft_ms", e2e / 5}});
  }
  batch.push_back(
      {{"provider", "ollama"}, {"model", "llama3"}, {"e2e_ms", 20000}, {"ttft_ms", 4000}});
  for (int i = 0; i < 10; ++i) {
    batch.push_back({{"provider", "ollama"},
                     {"model", "llama3"},
                     {"e2e_ms", 30000},
                     {"error", true},
                     {"error_kind", "timeout"}});
  }
  for (int i = 0; i < 3; ++i) {
    batch.push_back({{"provider", "openai"},
                     {"model", "gpt-4o"},
                     {"site", R"(lab "b"\1)"},
                     {"e2e_ms", 800 + i}});
  }
  const Reply r = server.Call("POST", "/api/stats", json{{"samples", batch}}.dump());
  ASSERT_EQ(r.status, 200) << r.body << r.transport_error;
}

// The families a /metrics text declares (# TYPE lines) and the names its samples carry.
std::set<std::string> ExposedNames(const std::string& text) {
  std::set<std::string> names;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      names.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (!line.empty() && line[0] != '#') {
      names.insert(line.substr(0, line.find_first_of("{ ")));
    }
  }
  return names;
}

json LoadDashboard() {
  return json::parse(ReadFile(kDeployDir + "/grafana/llmscope-dashboard.json"));
}

// Every PromQL expression of the dashboard's panels.
std::vector<std::string> DashboardExpressions(const json& dashboard) {
  std::vector<std::string> out;
  for (const json& panel : dashboard.at("panels")) {
    for (const json& target : panel.at("targets")) out.push_back(target.at("expr"));
  }
  return out;
}

// An expression as Grafana sends it: its template variables and intervals filled in.
std::string AsGrafanaSendsIt(std::string expr) {
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"$__rate_interval", "1m"},
                                                        {"$__range", "1h"},
                                                        {"$__interval", "15s"},
                                                        {"$provider", ".*"},
                                                        {"$model", ".*"},
                                                        {"$site", ".*"}}) {
    for (size_t at = expr.find(from); at != std::string::npos; at = expr.find(from, at)) {
      expr.replace(at, from.size(), to);
    }
  }
  return expr;
}

// GET /api/v1/query on a Prometheus server; the parsed answer, or null when none came.
json Query(int port, const std::string& promql) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1, 0);
  c.set_read_timeout(5, 0);
  httplib::Result r = c.Get("/api/v1/query", httplib::Params{{"query", promql}}, {});
  if (!r) return nullptr;
  return json::parse(r->body, nullptr, false);
}

// Queries until the answer has at least one series, up to `timeout`; the last answer.
json QueryUntilFound(int port, const std::string& promql, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  json answer;
  while (Clock::now() < deadline) {
    answer = Query(port, promql);
    if (answer.is_object() && answer.value("status", "") == "success" &&
        !answer["data"]["result"].empty()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return answer;
}

// The value of the series of `answer` whose labels include `labels`; NaN when there is none.
double ValueWith(const json& answer, const json& labels) {
  if (!answer.is_object() || !answer.contains("data")) return std::nan("");
  for (const json& s : answer["data"]["result"]) {
    bool match = true;
    for (const auto& [k, v] : labels.items()) match = match && s["metric"].value(k, "") == v;
    if (match) return std::stod(s["value"][1].get<std::string>());
  }
  return std::nan("");
}

// `promtool check metrics` reads the exposition on stdin.
CommandResult PromtoolCheckMetrics(const std::string& promtool, const std::string& file) {
  return RunCommand({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, file});
}

TEST(PrometheusTest, RealPrometheusScrapesMetricsThatPassPromtool) {
  LLMSCOPE_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  LLMSCOPE_REQUIRE_PROGRAM(prometheus, "prometheus", "prometheus");
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  FeedSamples(*server);
  const Reply metrics = server->Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;

  TempDir dir("llmscope-prometheus");
  const CommandResult lint = PromtoolCheckMetrics(promtool, dir.Write("metrics.txt", metrics.body));
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err << "\n" << metrics.body;
  EXPECT_EQ(lint.out + lint.err, "") << "promtool's lint found problems";

  // The deployed configuration, pointed at this server and scraping every second.
  std::string config = ReadFile(kDeployDir + "/prometheus/prometheus.yml");
  ReplaceOnce(config, "scrape_interval: 15s", "scrape_interval: 1s");
  ReplaceOnce(config, "evaluation_interval: 15s", "evaluation_interval: 1s");
  ReplaceOnce(config, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(server->port()));
  ReplaceOnce(config, "/etc/prometheus/llmscope_api_key", dir.Write("api_key", server->api_key()));
  dir.Write("llmscope-rules.yml", ReadFile(kDeployDir + "/prometheus/llmscope-rules.yml"));
  const std::string config_path = dir.Write("prometheus.yml", config);
  const CommandResult checked = RunCommand({promtool, "check", "config", config_path});
  ASSERT_EQ(checked.exit_code, 0) << checked.out << checked.err;

  const int port = PickFreePort();
  ChildProcess prom(
      {prometheus, "--config.file=" + config_path, "--storage.tsdb.path=" + dir.File("tsdb"),
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      dir.path(), "prometheus");
  std::string error;
  ASSERT_TRUE(prom.Start(&error)) << error;

  const auto started = Clock::now();
  const json samples =
      QueryUntilFound(port, R"(llmscope_samples_total{job="llmscope"})", std::chrono::seconds(60));
  ASSERT_TRUE(prom.Running()) << prom.Stderr();
  EXPECT_EQ(ValueWith(samples, {{"provider", "ollama"}, {"model", "llama3"}}), kBaseline + 11)
      << samples.dump() << prom.Stderr();
  EXPECT_EQ(ValueWith(samples, {{"provider", "openai"}, {"site", R"(lab "b"\1)"}}), 3)
      << samples.dump();
  std::printf("[ figures ] first LLMscope series in Prometheus after %.1f s\n",
              std::chrono::duration<double>(Clock::now() - started).count());

  EXPECT_EQ(ValueWith(Query(port, R"(up{job="llmscope"})"), json::object()), 1);
  EXPECT_EQ(ValueWith(Query(port, "llmscope_sample_errors_total"), {{"provider", "ollama"}}), 10);
  EXPECT_EQ(ValueWith(Query(port, "llmscope_violations_total"),
                      {{"provider", "ollama"}, {"metric", "e2e_ms"}, {"rule", "R1"}}),
            1);
  const json ucl = Query(port, R"(llmscope_control_limit{limit="ucl",metric="ttft_ms"})");
  EXPECT_GT(ValueWith(ucl, {{"provider", "ollama"}}), 200) << ucl.dump();
  EXPECT_LT(ValueWith(ucl, {{"provider", "ollama"}}), 400) << ucl.dump();

  // The recording rules evaluate over the scraped series (a rate needs two scrapes).
  const json position =
      QueryUntilFound(port, "llmscope:series_limit_position", std::chrono::seconds(30));
  EXPECT_GT(ValueWith(position, {{"provider", "ollama"}, {"metric", "e2e_ms"}}), 1)
      << "the 20 s spike is beyond the UCL: " << position.dump();
  const json histogram_p95 =
      QueryUntilFound(port, "llmscope:latency_seconds:p95_5m", std::chrono::seconds(30));
  EXPECT_FALSE(histogram_p95["data"]["result"].empty()) << histogram_p95.dump();
  const json rules = [&] {
    httplib::Client c("127.0.0.1", port);
    httplib::Result r = c.Get("/api/v1/rules");
    return r ? json::parse(r->body, nullptr, false) : json();
  }();
  ASSERT_TRUE(rules.is_object()) << prom.Stderr();
  int rule_count = 0;
  for (const json& group : rules["data"]["groups"]) {
    for (const json& rule : group["rules"]) {
      ++rule_count;
      EXPECT_EQ(rule.value("health", ""), "ok") << rule.dump();
    }
  }
  EXPECT_GE(rule_count, 10) << rules.dump();

  // Every panel's query is valid PromQL over these series; the limit panels find data.
  for (const std::string& expr : DashboardExpressions(LoadDashboard())) {
    const json answer = Query(port, AsGrafanaSendsIt(expr));
    ASSERT_TRUE(answer.is_object()) << expr;
    EXPECT_EQ(answer.value("status", ""), "success") << expr << "\n" << answer.dump();
    if (expr.find("llmscope_control_limit") != std::string::npos ||
        expr.find("llmscope_series_value") != std::string::npos) {
      EXPECT_FALSE(answer["data"]["result"].empty()) << expr;
    }
  }
  EXPECT_EQ(prom.Stop(), 0) << prom.Stderr();
}

TEST(PrometheusTest, PromtoolRejectsAnExpositionItsLintFlags) {
  // The check above can fail: promtool flags a counter without _total and an abbreviated unit.
  LLMSCOPE_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  TempDir dir("llmscope-promtool");
  const CommandResult r = PromtoolCheckMetrics(
      promtool, dir.Write("bad.txt",
                          "# HELP llmscope_latency_ms x\n# TYPE llmscope_latency_ms counter\n"
                          "llmscope_latency_ms 1\n"));
  EXPECT_NE(r.out + r.err, "");
}

TEST(PrometheusTest, RulesPassPromtoolCheckAndTheirUnitTests) {
  LLMSCOPE_REQUIRE_PROGRAM(promtool, "promtool", "prometheus");
  const CommandResult check =
      RunCommand({promtool, "check", "rules", kDeployDir + "/prometheus/llmscope-rules.yml"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("SUCCESS"), std::string::npos) << check.out;
  const CommandResult unit =
      RunCommand({promtool, "test", "rules", kDeployDir + "/prometheus/llmscope-rules.test.yml"});
  EXPECT_EQ(unit.exit_code, 0) << unit.out << unit.err;
}

// Grafana is not packaged in Debian 12, so no real import runs here: the test checks what an
// import needs (a uid and no id, schemaVersion ≥ 36, a Prometheus data-source variable every
// panel uses) and that every query names a metric LLMscope exposes.
TEST(GrafanaDashboardTest, HasWhatAnImportNeedsAndNamesOnlyExposedMetrics) {
  const json dash = LoadDashboard();
  EXPECT_FALSE(dash.value("title", "").empty());
  EXPECT_FALSE(dash.value("uid", "").empty());
  EXPECT_FALSE(dash.contains("id") && !dash["id"].is_null()) << "an import must not carry an id";
  ASSERT_TRUE(dash["schemaVersion"].is_number_integer());
  EXPECT_GE(dash["schemaVersion"].get<int>(), 36);  // datasource references by uid

  // A Prometheus data source variable, which every panel and query uses.
  bool has_datasource_var = false;
  std::set<std::string> variables;
  for (const json& v : dash.at("templating").at("list")) {
    variables.insert(v.at("name"));
    if (v.value("type", "") == "datasource" && v.value("query", "") == "prometheus" &&
        v.value("name", "") == "datasource") {
      has_datasource_var = true;
    }
  }
  EXPECT_TRUE(has_datasource_var) << dash["templating"].dump();
  const json ds = {{"type", "prometheus"}, {"uid", "${datasource}"}};

  std::set<int> ids;
  std::set<std::string> titles;
  for (const json& panel : dash.at("panels")) {
    EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "duplicate id " << panel["id"];
    titles.insert(panel.value("title", ""));
    for (const char* k : {"x", "y", "w", "h"}) EXPECT_TRUE(panel["gridPos"][k].is_number()) << k;
    EXPECT_LE(panel["gridPos"]["x"].get<int>() + panel["gridPos"]["w"].get<int>(), 24);
    EXPECT_EQ(panel.at("datasource"), ds) << panel["title"];
    ASSERT_FALSE(panel.at("targets").empty()) << panel["title"];
    std::set<std::string> ref_ids;
    for (const json& target : panel["targets"]) {
      EXPECT_EQ(target.at("datasource"), ds) << panel["title"];
      EXPECT_TRUE(ref_ids.insert(target.at("refId")).second) << panel["title"];
      // Every $variable is defined, or one of Grafana's own.
      const std::string expr = target.at("expr");
      const std::regex var(R"(\$(\w+))");
      for (auto it = std::sregex_iterator(expr.begin(), expr.end(), var);
           it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[1];
        EXPECT_TRUE(variables.contains(name) || name.rfind("__", 0) == 0) << name << " in " << expr;
      }
    }
  }
  for (const char* needed :
       {"End-to-end latency with control limits (ms)",
        "Time to first token with control limits (ms)", "Violations by rule", "Error rate"}) {
    EXPECT_TRUE(titles.contains(needed)) << needed;
  }

  // Every llmscope_* name in the queries is exposed by a real server that has seen samples,
  // errors and a violation.
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  FeedSamples(*server);
  const Reply metrics = server->Call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::set<std::string> exposed = ExposedNames(metrics.body);
  const std::regex name(R"(\bllmscope_\w+)");
  int names = 0;
  for (const std::string& expr : DashboardExpressions(dash)) {
    for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name);
         it != std::sregex_iterator(); ++it) {
      ++names;
      EXPECT_TRUE(exposed.contains(it->str())) << it->str() << " (in " << expr << ") is not in\n"
                                               << metrics.body;
    }
  }
  EXPECT_GE(names, 10);
}

}  // namespace
}  // namespace llmscope::testing

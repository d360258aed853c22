// Crash consistency over many rounds.
//
// Server: 20 rounds of SIGKILL to `llmscope serve` under ingest load from 6 client threads on 3
// sources (single samples and batches, with spikes that fire rules); each source has its latency
// series and its error series. After each restart on the
// same data directory: every acknowledged sample is stored, each batch whole; PRAGMA
// integrity_check is ok; every series whose limits were frozen before the round has the same
// limits, to the bit; every violation seen before the round is still there unchanged (id, rule,
// first point, limits). At the end, a fresh server fed the stored samples in the same order
// computes the same limits and the same violations (rule, first and last index, count): the
// crashed server's charts are what an uninterrupted run gives.
//
// Probe: rounds of SIGKILL to `llmscope probe --push` while its spool is full (the server down),
// and while it is sending; a last run drains the spool. Every sample the probe printed (each is
// printed after it is on disk in the spool) is stored by the server, once: a batch whose reply
// the killed probe never recorded is sent again, and its ingest keys keep it from being stored
// twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support/ingest_load.h"
#include "support/server_process.h"
#include "support/sqlite_file.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

using nlohmann::json;

constexpr char kProvider[] = "crash";

json Get(const ServerProcess& s, const std::string& path) {
  const Reply r = s.Call("GET", path);
  EXPECT_EQ(r.status, 200) << path << ": " << r.body << r.transport_error;
  json j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

// The frozen limits of each series, by its id ("provider/model/metric").
std::map<std::string, json> FrozenLimits(const ServerProcess& s) {
  std::map<std::string, json> out;
  const json list = Get(s, "/api/series");
  for (const json& series : list["series"]) {
    if (series.contains("limits")) {
      out[series["provider"].get<std::string>() + "/" + series["model"].get<std::string>() + "/" +
          series["metric"].get<std::string>()] = series["limits"];
    }
  }
  return out;
}

// Every violation, by id, with the fields that never change once it opened.
std::map<int64_t, json> StableViolations(const ServerProcess& s) {
  std::map<int64_t, json> out;
  const json list = Get(s, "/api/violations?limit=100000");
  for (const json& v : list["violations"]) {
    out[v["id"].get<int64_t>()] = json{{"series", v["series"]},
                                       {"metric", v["metric"]},
                                       {"rule", v["rule"]},
                                       {"phase", v["phase"]},
                                       {"stage", v["stage"]},
                                       {"first_index", v["first_index"]},
                                       {"first_time_ms", v["first_time_ms"]},
                                       {"value", v["value"]},
                                       {"limits", v["limits"]}};
  }
  return out;
}

// Every violation as a fresh computation must give it again (ids and times differ).
std::multiset<std::string> Firings(const ServerProcess& s) {
  std::multiset<std::string> out;
  const json list = Get(s, "/api/violations?limit=100000");
  for (const json& v : list["violations"]) {
    out.insert(v["model"].get<std::string>() + " " + v["metric"].get<std::string>() + " " +
               v["rule"].get<std::string>() + " " + v["phase"].get<std::string>() + " stage " +
               v["stage"].dump() + " [" + v["first_index"].dump() + ".." + v["last_index"].dump() +
               "] x" + v["count"].dump());
  }
  return out;
}

TEST(CrashConsistencyTest, TwentySigkillsUnderIngestLoadLoseNothingAndChangeNoChart) {
  constexpr int kRounds = 20;
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  std::set<int64_t> acknowledged;
  std::map<std::string, int> acknowledged_tags;  // tag → samples it holds
  std::map<std::string, json> limits_before;
  std::map<int64_t, json> violations_before;
  int64_t total_requests = 0;

  for (int round = 0; round < kRounds; ++round) {
    IngestLoadOptions options;
    options.threads = 6;
    options.max_requests = 3000;
    options.batch = 20;
    options.provider = kProvider;
    options.model = [](int t) { return "m" + std::to_string(t % 3); };
    // In control around 1000 ms, with a spike every 37th request of each thread (R1) and a
    // shift in rounds 12..15 (runs: R2, R5, R6).
    options.latency = [round](int t, int n, int k) {
      const double shift = round >= 12 && round < 16 ? 1.15 : 1.0;
      const double spike = (n + t) % 37 == 36 && k == 0 ? 8.0 : 1.0;
      return shift * spike * 1000.0 * std::exp(0.05 * std::sin(n * 7.0 + k * 3.0 + t));
    };
    options.tag_prefix = "r" + std::to_string(round) + "-";
    IngestLoad load(server->port(), server->AuthHeaders(), options);
    load.WaitForAcknowledged(150 + 20 * round, std::chrono::seconds(3));
    load.ServerGone();
    server->Kill();
    load.Join();
    ASSERT_TRUE(load.unexpected().empty())
        << "round " << round << ": " << ::testing::PrintToString(load.unexpected());
    acknowledged.insert(load.acknowledged_ids().begin(), load.acknowledged_ids().end());
    for (const std::string& tag : load.acknowledged_tags()) {
      acknowledged_tags[tag] = load.samples_per_tag(tag);
    }
    total_requests += load.acknowledged();

    std::string error;
    ASSERT_TRUE(server->Start(&error)) << "round " << round << ": " << error;
    {
      SqliteFile db(server->db_path());
      ASSERT_EQ(db.IntegrityCheck(), "ok") << "round " << round;
      std::set<int64_t> stored;
      std::map<std::string, int> per_tag;
      for (const auto& row : db.Rows(std::string("SELECT id, prompt_hash FROM samples WHERE "
                                                 "provider = '") +
                                     kProvider + "'")) {
        stored.insert(std::stoll(row[0]));
        ++per_tag[row[1]];
      }
      int missing = 0;
      for (int64_t id : acknowledged) missing += stored.count(id) ? 0 : 1;
      ASSERT_EQ(missing, 0) << "round " << round << ": acknowledged samples lost by SIGKILL";
      for (const auto& [tag, n] : per_tag) {
        ASSERT_EQ(n, tag.find("b-") != std::string::npos ? options.batch : 1)
            << "round " << round << ": " << tag << " stored in part or twice";
      }
    }
    const std::map<std::string, json> limits = FrozenLimits(*server);
    for (const auto& [series, before] : limits_before) {
      ASSERT_TRUE(limits.count(series)) << "round " << round << ": " << series << " lost its stage";
      EXPECT_EQ(limits.at(series), before) << "round " << round << ": " << series;
    }
    const std::map<int64_t, json> violations = StableViolations(*server);
    for (const auto& [id, before] : violations_before) {
      ASSERT_TRUE(violations.count(id)) << "round " << round << ": violation " << id << " lost";
      EXPECT_EQ(violations.at(id), before) << "round " << round << ": violation " << id;
    }
    limits_before = limits;
    violations_before = violations;
  }
  // 3 sources, each with its latency series and the p-chart of its errors.
  ASSERT_EQ(limits_before.size(), 6u) << "every series froze its limits during the rounds";
  std::set<std::string> rules;
  for (const auto& [id, v] : violations_before) rules.insert(v["rule"].get<std::string>());
  EXPECT_TRUE(rules.count("R1")) << "the spikes fire R1";
  std::cout << "[ info ] " << kRounds << " SIGKILL rounds: " << total_requests << " requests and "
            << acknowledged.size() << " samples acknowledged, " << violations_before.size()
            << " violations, rules " << ::testing::PrintToString(rules) << std::endl;

  // A fresh server fed the stored samples in store order computes the same charts.
  json samples = json::array();
  {
    SqliteFile db(server->db_path());
    for (const auto& row : db.Rows(std::string("SELECT model, printf('%!.17g', e2e_ms) FROM "
                                               "samples WHERE provider = '") +
                                   kProvider + "' ORDER BY id")) {
      samples.push_back(
          json{{"provider", kProvider}, {"model", row[0]}, {"latency_ms", json::parse(row[1])}});
    }
  }
  auto fresh = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(fresh);
  for (size_t i = 0; i < samples.size(); i += 5000) {
    json part(samples.begin() + static_cast<std::ptrdiff_t>(i),
              samples.begin() + static_cast<std::ptrdiff_t>(std::min(samples.size(), i + 5000)));
    const Reply r = fresh->Call("POST", "/api/stats", json{{"samples", part}}.dump());
    ASSERT_EQ(r.status, 200) << r.body << r.transport_error;
  }
  EXPECT_EQ(FrozenLimits(*fresh), limits_before);
  EXPECT_EQ(Firings(*fresh), Firings(*server));
  EXPECT_EQ(server->Stop(), 0) << server->Stderr();
}

// `llmscope probe --push URL --stdout` on fast simulated targets, its stdout and stderr in files;
// `count` calls per target, or 0: until killed.
class ProbeProcess {
 public:
  ProbeProcess(const std::string& url, const std::string& key, const std::string& spool,
               const std::string& out, const std::string& err, int count) {
    std::vector<std::string> argv = {
        LLMSCOPE_BINARY, "probe", "--push",   url,          "--key", key,
        "--spool-dir",   spool,   "--stdout", "--interval", "0"};
    if (count > 0) argv.insert(argv.end(), {"--count", std::to_string(count)});
    for (int t = 0; t < 4; ++t) {
      argv.push_back("--target");
      argv.push_back("provider=simulated,model=spool" + std::to_string(t) +
                     ",median_e2e_ms=1,seed=" + std::to_string(t + 1));
    }
    std::string error;
    pid_ = SpawnWithOutputFiles(argv, {}, out, err, &error);
    EXPECT_GT(pid_, 0) << error;
  }
  ~ProbeProcess() { Kill(); }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Waits for the process to exit by itself; its exit code, or -1.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

// The (model, e2e_ms) of every sample a probe printed; a line cut short by SIGKILL is skipped
// (it was printed after its sample was spooled, so that sample counts as not acknowledged).
// A sample the probe printed or the server stored: model, time_ms and e2e_ms, which tell the
// samples apart (each round repeats the same seeded values, at other times).
using PrintedSample = std::tuple<std::string, int64_t, double>;

void ReadPrinted(const std::string& path, std::multiset<PrintedSample>& out, int* lines) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const json s = json::parse(line, nullptr, false);
    if (s.is_discarded() || !s.contains("e2e_ms") || s["e2e_ms"].is_null()) continue;
    out.emplace(s["model"].get<std::string>(), s["time_ms"].get<int64_t>(),
                s["e2e_ms"].get<double>());
    ++*lines;
  }
}

size_t PrintedLines(const std::string& path) {
  std::ifstream in(path);
  return static_cast<size_t>(
      std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

TEST(CrashConsistencyTest, SigkilledRemoteProbeLosesNoSpooledSample) {
  constexpr int kRounds = 8;
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  TempDir dir("probe-crash");
  const std::string spool = dir.File("spool");
  const std::string down = "http://127.0.0.1:" + std::to_string(PickFreePort());
  const std::string up = "http://127.0.0.1:" + std::to_string(server->port());
  std::multiset<PrintedSample> printed;
  int printed_lines = 0;
  for (int round = 0; round < kRounds; ++round) {
    // Even rounds: the server is unreachable, the spool fills. Odd rounds: the probe sends the
    // spool and new samples while it is killed.
    const std::string out = dir.File("out-" + std::to_string(round));
    ProbeProcess probe(round % 2 == 0 ? down : up, server->api_key(), spool, out,
                       dir.File("err-" + std::to_string(round)), 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (PrintedLines(out) < 300 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    probe.Kill();
    ReadPrinted(out, printed, &printed_lines);
  }
  ASSERT_GT(printed_lines, kRounds * 100) << "the probes printed too little to test";
  // A last run on the live server drains what the killed runs left in the spool.
  const std::string out = dir.File("out-last"), err = dir.File("err-last");
  ProbeProcess last(up, server->api_key(), spool, out, err, 1);
  ASSERT_EQ(last.Wait(), 0) << std::ifstream(err).rdbuf();
  ReadPrinted(out, printed, &printed_lines);
  std::stringstream last_err;
  last_err << std::ifstream(err).rdbuf();
  EXPECT_NE(last_err.str().find(" 0 waiting"), std::string::npos) << last_err.str();

  std::multiset<PrintedSample> stored;
  {
    SqliteFile db(server->db_path());
    EXPECT_EQ(db.IntegrityCheck(), "ok");
    for (const auto& row : db.Rows("SELECT model, time_ms, printf('%!.17g', e2e_ms) FROM samples "
                                   "WHERE model LIKE 'spool%' AND e2e_ms IS NOT NULL")) {
      stored.emplace(row[0], std::stoll(row[1]), json::parse(row[2]).get<double>());
    }
  }
  size_t missing = 0, repeated = 0;
  for (auto it = printed.begin(); it != printed.end(); it = printed.upper_bound(*it)) {
    const size_t want = printed.count(*it), got = stored.count(*it);
    if (got < want) missing += want - got;
    if (got > want) repeated += got - want;
  }
  EXPECT_EQ(missing, 0u) << "of " << printed.size() << " samples spooled by killed probes";
  EXPECT_EQ(repeated, 0u) << "stored more than once, of " << printed.size();
  std::cout << "[ info ] " << kRounds << " probe SIGKILL rounds: " << printed.size()
            << " samples printed as spooled, " << stored.size() << " stored, " << repeated
            << " twice (a probe killed between a sample's spool append and its print stores it "
               "unprinted)"
            << std::endl;
  EXPECT_EQ(server->Stop(), 0) << server->Stderr();
}

}  // namespace
}  // namespace llmscope::testing

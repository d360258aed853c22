// A bounded load on a running `llmscope serve` over loopback: POST /api/stats with batches of
// --batch samples (1: single samples, the original monitor's payload) from --connections
// keep-alive connections, --requests per connection at most, for --seconds at most. Prints
// samples/s, request latency p50/p99, errors, and, when --pid is given, the server's peak RSS
// and the CPU time it spent during the load per sample (user + system, all its threads: a
// figure that a machine shared with other work disturbs less than samples/s).
// With --readers N, N dashboard readers on their own keep-alive connections cycle through
// GET /api/stats/spc, /api/violations and /api/series for as long as the ingest runs; with
// --streams M, M clients hold GET /api/stream (SSE) open the whole time and count its events.
// Each kind gets its own p50/p99 and error count; the exit code is 1 when any error occurred
// (a failed or non-2xx request, or a stream that ended early or saw no sample event).
//
//   ./build/bench/server_ingest_load --base http://127.0.0.1:8080 --key KEY --batch 500
//       --connections 2 --requests 1000 --seconds 60 [--pid PID] [--readers 12 --streams 4]
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

std::string SampleJson(std::mt19937_64& rng, int64_t seq) {
  std::normal_distribution<double> noise(0.0, 0.1);
  const double lat = 2000 * std::exp(noise(rng));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"provider\":\"ollama\",\"model\":\"llama3\",\"latency_ms\":%.3f,"
                "\"total_duration_ms\":%.3f,\"load_duration_ms\":50.2,"
                "\"prompt_eval_duration_ms\":100.3,\"eval_duration_ms\":%.3f,"
                "\"prompt_eval_count\":26,\"eval_count\":42,\"cpu_percent\":35.2,"
                "\"memory_percent\":45.6,\"gpu_percent\":78.5,\"gpu_memory_percent\":62.3,"
                "\"prompt_hash\":\"a1b2c3d4\",\"prompt_text\":\"sample %lld\"}",
                lat, lat - 5, lat - 160, static_cast<long long>(seq));
  return buf;
}

// Latencies (ms) and errors of one kind of request, from several threads.
struct KindTally {
  std::mutex mu;
  std::vector<double> ms;
  std::atomic<int64_t> errors{0};
  void Add(double latency_ms, bool ok) {
    std::lock_guard<std::mutex> lock(mu);
    ms.push_back(latency_ms);
    if (!ok) ++errors;
  }
  // {"requests": n, "p50_ms": …, "p99_ms": …, "errors": n}
  std::string Json() {
    std::lock_guard<std::mutex> lock(mu);
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) {
      return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
    };
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "{\"requests\": %zu, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"errors\": %lld}",
                  ms.size(), pct(0.5), pct(0.99), static_cast<long long>(errors.load()));
    return buf;
  }
};

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// A dashboard reader: GETs the three read routes in turn until `stop`.
void Reader(const std::string& base, const std::string& key, const std::atomic<bool>& stop,
            std::map<std::string, KindTally>& tallies) {
  static const char* kPaths[] = {
      "/api/stats/spc?provider=ollama&model=llama3&metric=e2e_ms&limit=500",
      "/api/violations?limit=100", "/api/series"};
  httplib::Client client(base);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(60, 0);
  const httplib::Headers headers = {{"Authorization", "Bearer " + key}};
  for (int n = 0; !stop; ++n) {
    const std::string path = kPaths[n % 3];
    const auto t0 = std::chrono::steady_clock::now();
    auto res = client.Get(path, headers);
    tallies.at(path.substr(0, path.find('?'))).Add(MsSince(t0), res && res->status == 200);
  }
}

// An SSE client: holds GET /api/stream open until `stop`; the time to its first byte is its
// latency. An error: the stream failed or ended before `stop`, or carried no sample event.
void StreamClient(const std::string& base, const std::string& key, const std::atomic<bool>& stop,
                  KindTally& tally, std::atomic<int64_t>& events) {
  httplib::Client client(base);
  client.set_read_timeout(30, 0);
  const httplib::Headers headers = {{"Authorization", "Bearer " + key}};
  const auto t0 = std::chrono::steady_clock::now();
  double first_byte_ms = -1;
  bool saw_sample = false;
  std::string tail;
  auto res = client.Get("/api/stream", headers, [&](const char* data, size_t len) {
    if (first_byte_ms < 0) first_byte_ms = MsSince(t0);
    tail.append(data, len);
    for (size_t at; (at = tail.find("event: ")) != std::string::npos;) {
      ++events;
      saw_sample = saw_sample || tail.compare(at, 13, "event: sample") == 0;
      tail.erase(0, at + 7);
    }
    if (tail.size() > 16) tail.erase(0, tail.size() - 16);
    return !stop.load();
  });
  // Our receiver ending the stream at `stop` shows as a canceled request: the normal end.
  const bool ok = saw_sample && stop && (res || res.error() == httplib::Error::Canceled);
  tally.Add(first_byte_ms < 0 ? MsSince(t0) : first_byte_ms, ok);
}

long PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// The CPU time (user + system, all threads) the process has used so far, in seconds.
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces: state is the
  // 3rd field, utime the 14th and stime the 15th.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream rest(stat.substr(paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bounded ingest load on a running llmscope serve"};
  std::string base = "http://127.0.0.1:8080", key;
  int batch = 1, connections = 1, requests = 1000, pid = 0, readers = 0, streams = 0;
  double seconds = 30;
  app.add_option("--base", base);
  app.add_option("--key", key)->required();
  app.add_option("--batch", batch);
  app.add_option("--connections", connections);
  app.add_option("--requests", requests, "per connection");
  app.add_option("--seconds", seconds);
  app.add_option("--pid", pid, "server pid, for its peak RSS and CPU time");
  app.add_option("--readers", readers, "dashboard readers (GET spc, violations, series)");
  app.add_option("--streams", streams, "SSE clients on /api/stream");
  CLI11_PARSE(app, argc, argv);

  // Bodies are made before the clock starts: the load measures the server, not this program.
  std::vector<std::vector<std::string>> bodies(connections);
  std::mt19937_64 rng(7);
  int64_t seq = 0;
  for (auto& list : bodies) {
    for (int r = 0; r < requests; ++r) {
      if (batch == 1) {
        list.push_back(SampleJson(rng, seq++));
        continue;
      }
      std::string body = "{\"samples\":[";
      for (int i = 0; i < batch; ++i) body += (i ? "," : "") + SampleJson(rng, seq++);
      list.push_back(body + "]}");
    }
  }
  std::atomic<int64_t> samples{0}, errors{0};
  std::vector<std::vector<double>> latencies(connections);
  const auto start = std::chrono::steady_clock::now();
  const double server_cpu_at_start = pid ? CpuSeconds(pid) : 0;
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::atomic<bool> stop{false};
  std::map<std::string, KindTally> read_tallies;
  for (const char* path : {"/api/stats/spc", "/api/violations", "/api/series"}) read_tallies[path];
  KindTally stream_tally;
  std::atomic<int64_t> stream_events{0};
  std::vector<std::thread> watchers;
  for (int r = 0; r < readers; ++r) {
    watchers.emplace_back([&] { Reader(base, key, stop, read_tallies); });
  }
  for (int m = 0; m < streams; ++m) {
    watchers.emplace_back([&] { StreamClient(base, key, stop, stream_tally, stream_events); });
  }
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(base);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60, 0);
      httplib::Headers headers = {{"Authorization", "Bearer " + key}};
      for (const std::string& body : bodies[c]) {
        if (std::chrono::steady_clock::now() > deadline) break;
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client.Post("/api/stats", headers, body, "application/json");
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        if (res && res->status == 200) {
          samples += batch;
        } else {
          ++errors;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  stop = true;
  if (streams > 0) {  // one more sample wakes every stream, so that each sees `stop` at once
    httplib::Client(base).Post("/api/stats", {{"Authorization", "Bearer " + key}}, bodies[0][0],
                               "application/json");
  }
  for (std::thread& t : watchers) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "{\"batch\": %d, \"connections\": %d, \"requests\": %zu, \"samples\": %lld, "
      "\"seconds\": %.2f, \"samples_per_s\": %.0f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
      "\"errors\": %lld, \"server_peak_rss_kb\": %ld, \"server_cpu_us_per_sample\": %.2f",
      batch, connections, all.size(), static_cast<long long>(samples.load()), elapsed,
      samples.load() / elapsed, pct(0.5), pct(0.99), static_cast<long long>(errors.load()),
      pid ? PeakRssKb(pid) : -1L,
      pid && samples.load() > 0
          ? (CpuSeconds(pid) - server_cpu_at_start) * 1e6 / static_cast<double>(samples.load())
          : -1.0);
  int64_t all_errors = errors.load();
  if (readers > 0) {
    for (auto& [path, tally] : read_tallies) {
      std::printf(", \"GET %s\": %s", path.c_str(), tally.Json().c_str());
      all_errors += tally.errors;
    }
  }
  if (streams > 0) {
    std::printf(", \"SSE /api/stream\": %s, \"stream_events\": %lld", stream_tally.Json().c_str(),
                static_cast<long long>(stream_events.load()));
    all_errors += stream_tally.errors;
  }
  std::printf("}\n");
  return all_errors == 0 ? 0 : 1;
}

// A bounded load on a running `llmscope serve` over loopback: POST /api/stats with batches of
// --batch samples (1: single samples, the original monitor's payload) from --connections
// keep-alive connections, --requests per connection at most, for --seconds at most. Prints
// samples/s, request latency p50/p99, errors, and the server's peak RSS when --pid is given.
//
//   ./build/bench/server_ingest_load --base http://127.0.0.1:8080 --key KEY --batch 500
//       --connections 2 --requests 1000 --seconds 60 [--pid PID]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

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

long PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bounded ingest load on a running llmscope serve"};
  std::string base = "http://127.0.0.1:8080", key;
  int batch = 1, connections = 1, requests = 1000, pid = 0;
  double seconds = 30;
  app.add_option("--base", base);
  app.add_option("--key", key)->required();
  app.add_option("--batch", batch);
  app.add_option("--connections", connections);
  app.add_option("--requests", requests, "per connection");
  app.add_option("--seconds", seconds);
  app.add_option("--pid", pid, "server pid, for its peak RSS");
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
  const auto deadline = start + std::chrono::duration<double>(seconds);
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
      "\"errors\": %lld, \"server_peak_rss_kb\": %ld}\n",
      batch, connections, all.size(), static_cast<long long>(samples.load()), elapsed,
      samples.load() / elapsed, pct(0.5), pct(0.99), static_cast<long long>(errors.load()),
      pid ? PeakRssKb(pid) : -1L);
  return errors.load() == 0 ? 0 : 1;
}

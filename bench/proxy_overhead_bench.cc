// The proxy's cost of being in the path, on loopback (bench/README.md "Proxy overhead"):
//   1. added latency of a non-streamed call: p50/p99 of N sequential calls on a keep-alive
//      connection, straight to the fake provider vs through the proxy;
//   2. cost per streamed chunk: a stream of K tokens sent back to back, last byte through the
//      proxy minus last byte straight, divided by K (p50 over the runs);
//   3. proxied calls/s: C clients on keep-alive connections for S seconds, every call's sample
//      batched into SeriesMonitor over a real SQLite file (as in serve).
// The upstream is the tests' fake provider (cpp-httplib, in-process).
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "fakes/fake_provider_server.h"
#include "monitor/series_monitor.h"
#include "proxy/batching_sink.h"
#include "proxy/proxy_server.h"
#include "store/open_store.h"

namespace {

using namespace llmscope;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

const std::string kWhole = R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})";

// Latencies (ms) of `n` sequential POSTs of `body` to `path` on one keep-alive connection.
std::vector<double> Sequential(int port, const std::string& path, const std::string& body, int n) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    httplib::Result r = client.Post(path, body, "application/json");
    if (!r || r->status != 200) {
      std::fprintf(stderr, "call failed\n");
      std::exit(1);
    }
    out.push_back(Ms(Clock::now() - t0));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("proxy overhead on loopback");
  int calls = 5000, stream_tokens = 1000, stream_runs = 50, clients = 8;
  double seconds = 10;
  app.add_option("--calls", calls, "sequential calls for the latency figures");
  app.add_option("--stream-tokens", stream_tokens, "tokens per streamed reply");
  app.add_option("--stream-runs", stream_runs, "streamed replies each way");
  app.add_option("--clients", clients, "concurrent clients for calls/s");
  app.add_option("--seconds", seconds, "duration of the calls/s run");
  CLI11_PARSE(app, argc, argv);

  testing::FakeProviderServer fake;
  if (!fake.Start()) return 1;
  testing::Script script;
  script.tokens = 5;
  fake.SetScript(script);

  const std::string dir = std::filesystem::temp_directory_path() / "llmscope-proxy-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  Result<std::unique_ptr<store::Store>> store = store::OpenStore("sqlite://" + dir + "/b.db");
  if (!store) return 1;
  monitor::SeriesMonitor monitor(**store, monitor::MonitorConfig::Defaults(), nullptr);
  std::atomic<uint64_t> stored{0};
  proxy::BatchingSink sink(10000, 1000, [&](std::vector<Sample> batch) {
    const size_t n = batch.size();
    if (monitor.Ingest(std::move(batch))) stored += n;
  });
  proxy::ProxyOptions options;
  options.port = 0;
  options.routes = *proxy::UpstreamRoutes::Make({{"openai", "openai", fake.base_url()}});
  Result<std::unique_ptr<proxy::ProxyServer>> proxy =
      proxy::ProxyServer::Start(std::move(options), sink);
  if (!proxy) return 1;
  const int proxy_port = (*proxy)->port();

  // 1. Non-streamed latency, interleaved in blocks so drift hits both alike.
  std::vector<double> direct, via;
  for (int block = 0; block < 10; ++block) {
    const auto d = Sequential(fake.port(), "/v1/chat/completions", kWhole, calls / 10);
    const auto v = Sequential(proxy_port, "/openai/v1/chat/completions", kWhole, calls / 10);
    direct.insert(direct.end(), d.begin(), d.end());
    via.insert(via.end(), v.begin(), v.end());
  }
  std::printf(
      "non-streamed, %d calls each: direct p50 %.3f ms p99 %.3f ms; via proxy p50 %.3f "
      "ms p99 %.3f ms; added p50 %.3f ms p99 %.3f ms\n",
      calls, Percentile(direct, 0.5), Percentile(direct, 0.99), Percentile(via, 0.5),
      Percentile(via, 0.99), Percentile(via, 0.5) - Percentile(direct, 0.5),
      Percentile(via, 0.99) - Percentile(direct, 0.99));

  // 2. Per streamed chunk.
  script.tokens = stream_tokens;
  fake.SetScript(script);
  const std::string stream_body =
      R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true})";
  std::vector<double> stream_direct, stream_via;
  for (int i = 0; i < stream_runs; ++i) {
    stream_direct.push_back(Sequential(fake.port(), "/v1/chat/completions", stream_body, 1)[0]);
    stream_via.push_back(Sequential(proxy_port, "/openai/v1/chat/completions", stream_body, 1)[0]);
  }
  const double per_chunk_ms =
      (Percentile(stream_via, 0.5) - Percentile(stream_direct, 0.5)) / stream_tokens;
  std::printf(
      "streamed, %d tokens x %d runs: direct p50 %.3f ms, via proxy p50 %.3f ms; added "
      "per chunk %.4f ms\n",
      stream_tokens, stream_runs, Percentile(stream_direct, 0.5), Percentile(stream_via, 0.5),
      per_chunk_ms);

  // 3. Throughput.
  script.tokens = 5;
  fake.SetScript(script);
  const uint64_t stored_before = stored.load();
  std::atomic<uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", proxy_port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      while (!stop.load()) {
        httplib::Result r = client.Post("/openai/v1/chat/completions", kWhole, "application/json");
        if (r && r->status == 200) ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : threads) t.join();
  const double elapsed_s = Ms(Clock::now() - t0) / 1000.0;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last batch
  std::printf(
      "throughput, %d clients for %.0f s: %.0f proxied calls/s; samples stored %llu, "
      "dropped %llu\n",
      clients, seconds, static_cast<double>(done.load()) / elapsed_s,
      static_cast<unsigned long long>(stored.load() - stored_before),
      static_cast<unsigned long long>(sink.dropped()));
  (*proxy)->Stop();
  std::filesystem::remove_all(dir);
  return 0;
}

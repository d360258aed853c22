// Alert outbox throughput and delivery latency on loopback: a real SQLite store in /tmp, the
// AlertDispatcher with a webhook sink, and the tests' HTTP receiver in-process on 127.0.0.1.
//   alert_dispatch_bench [N=2000] [SENDERS=2]
// Prints deliveries/s for N rows enqueued at once, and the latency from enqueue (with a wake) to
// the receiver's arrival for 100 single alerts sent one at a time. Bounded: N ≤ 100000.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "alert/alert_dispatcher.h"
#include "alert/alert_facts.h"
#include "fakes/alert_receiver.h"
#include "store/open_store.h"

using namespace llmscope;
using SteadyClock = std::chrono::steady_clock;

namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  const int n = std::min(argc > 1 ? std::atoi(argv[1]) : 2000, 100000);
  const int senders = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::string dir = "/tmp/llmscope-alert-bench-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  auto store = store::OpenStore("sqlite://" + dir + "/bench.db");
  if (!store) {
    std::fprintf(stderr, "store: %s\n", store.error().message.c_str());
    return 1;
  }
  testing::AlertReceiver receiver(0);
  if (!receiver.Start()) return 1;

  alert::AlertConfig config;
  config.senders = senders;
  alert::SinkConfig sink;
  sink.name = "hook";
  sink.type = alert::SinkType::kWebhook;
  sink.url = receiver.Url("/hook");
  config.sinks.push_back(sink);
  alert::AlertDispatcher::SinkMap sinks;
  sinks.emplace("hook",
                alert::MakeSink(sink, [](const std::string&) { return std::nullopt; }).value());
  alert::DispatcherOptions options;
  options.owner = alert::ProcessOwnerId();
  options.now = WallMs;
  options.random = [] { return 0.5; };
  options.log = [](const std::string&) {};
  options.claim_batch = 16;
  alert::AlertDispatcher dispatcher(**store, config, std::move(sinks), options);

  const std::string payload = alert::FactsToJson(alert::TestFacts(WallMs(), ""));
  auto enqueue = [&](const std::string& key) {
    store::DeliveryRecord d;
    d.key = key;
    d.sink = "hook";
    d.kind = store::DeliveryKind::kTest;
    d.payload_json = payload;
    d.next_attempt_ms = d.created_ms = WallMs();
    (void)(*store)->EnqueueDelivery(d);
  };

  // Throughput: N rows due at once.
  for (int i = 0; i < n; ++i) enqueue("bulk/" + std::to_string(i));
  const auto start = SteadyClock::now();
  dispatcher.Start();
  while (receiver.Requests().size() < static_cast<size_t>(n) &&
         SteadyClock::now() - start < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const size_t got = receiver.Requests().size();
  std::printf(
      "throughput: %zu deliveries in %.2f s = %.0f deliveries/s (%d senders, claim batch 16)\n",
      got, seconds, static_cast<double>(got) / seconds, senders);

  // Latency: one alert at a time, enqueue + wake → arrival.
  std::vector<double> latency_ms;
  for (int i = 0; i < 100; ++i) {
    const size_t before = receiver.Requests().size();
    const auto t0 = SteadyClock::now();
    enqueue("one/" + std::to_string(i));
    dispatcher.Wake();
    while (receiver.Requests().size() == before && SteadyClock::now() - t0 < std::chrono::seconds(10)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    latency_ms.push_back(
        std::chrono::duration<double, std::milli>(receiver.Requests().back().at - t0).count());
  }
  std::printf(
      "latency enqueue→arrival over 100 single alerts: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      Percentile(latency_ms, 0.5), Percentile(latency_ms, 0.99), Percentile(latency_ms, 1.0));
  dispatcher.Stop();
  receiver.Stop();
  std::filesystem::remove_all(dir);
  return 0;
}

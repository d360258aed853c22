// What a history query costs: GET /api/stats/spc over windows of 1 h to 90 days of one series,
// with `max_points` (M4 display points, read from the store in pages when the server's cache of
// the newest 50,000 samples per source does not hold the window) and, for 24 h, at full
// resolution. It starts `llmscope serve --no-probe` on 127.0.0.1 (a free port, a temporary data
// directory, a random key), posts --days of one series at one sample per 2 s (timestamps in the
// past, ending now) in batches, then times each window's query and reports:
//  - the ingest rate;
//  - per window: median and p95 of --runs timed queries after one warm-up (the warm-up's time
//    too), the reply's size, `count`, `window_count`, `downsampled`, `bucket_ms`, `source`
//    (samples or rollups);
//  - the server's RSS and peak RSS after the ingest and after the queries.
// A measurement, not a test: it asserts nothing about the figures. The exit code is 1 only when
// the run itself failed (the server did not start or died, a request failed, the time ran out).
//
//   ./build/bench/history_window_bench --days 90 [--binary ./build/src/app/llmscope]
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "bench_api.h"
#include "support/server_process.h"

namespace {

using llmscope::bench::Api;
using llmscope::bench::NowMs;
using llmscope::bench::ProcStatusKb;
using llmscope::bench::RandomKey;
using llmscope::bench::RunFailure;
using llmscope::bench::SecondsSince;

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kIntervalMs = 2000;  // one probe call every 2 s
constexpr int64_t kHourMs = int64_t{3600} * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr const char* kProvider = "bench";
constexpr const char* kModel = "history";

std::atomic<bool> g_interrupted{false};

void OnSignal(int) {
  g_interrupted = true;
}

// One series' probe calls in time order, made one at a time (90 days would not fit in memory as
// JSON): ttft and tpot log-normal around 300 and 25 ms (log-sd 0.2), a daily cycle of
// ±`daily_amp` on both peaking at 15:00 UTC, 0.05 % of calls ×3..×8 slower, one 30-minute slowdown
// ×2.5 a week (a fixed hour of each week), and 0.1 % failed calls.
class SampleStream {
 public:
  SampleStream(int64_t begin_ms, int64_t end_ms, double daily_amp, uint64_t seed)
      : next_ms_(begin_ms), end_ms_(end_ms), daily_amp_(daily_amp), rng_(seed) {}

  bool done() const { return next_ms_ >= end_ms_; }

  // Appends the next sample as a JSON object to `out`.
  void AppendNext(std::string& out) {
    const int64_t t = next_ms_;
    next_ms_ += kIntervalMs;
    const double z_ttft = normal_(rng_), z_tpot = normal_(rng_);
    const double outlier = uniform_(rng_), outlier_factor = 3 + 5 * uniform_(rng_);
    const double error_draw = uniform_(rng_);

    const double day_share = static_cast<double>(t % kDayMs) / kDayMs;
    double factor = 1 + daily_amp_ * std::sin(2 * std::numbers::pi * (day_share - 0.375));
    if (outlier < 0.0005) factor *= outlier_factor;
    const int64_t week_ms = 7 * kDayMs, week_offset = t % week_ms;
    if (week_offset >= 3 * kDayMs + 11 * kHourMs &&
        week_offset < 3 * kDayMs + 11 * kHourMs + kHourMs / 2) {
      factor *= 2.5;
    }
    const double ttft = 300 * factor * std::exp(0.2 * z_ttft);
    const double tpot = 25 * factor * std::exp(0.2 * z_tpot);
    out += R"({"provider":"bench","model":"history","site":"","profile":"short","timestamp":")";
    llmscope::AppendIsoUtc(out, t);
    if (error_draw < 0.001) {
      out += R"(","error":true,"error_kind":"http_5xx"})";
      return;
    }
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  R"(","ttft_ms":%.3f,"tpot_ms":%.4f,"e2e_ms":%.3f,"tokens_per_s":%.4f,)"
                  R"("tokens_out":21,"error":false})",
                  ttft, tpot, ttft + 20 * tpot, 1000 / tpot);
    out += buf;
  }

 private:
  int64_t next_ms_, end_ms_;
  double daily_amp_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0, 1};
  std::uniform_real_distribution<double> uniform_{0, 1};
};

// One query shape and what it measured.
struct WindowResult {
  std::string name;
  int64_t span_ms = 0;
  bool full_resolution = false;  // no max_points: every point up to limit=43200
  double warmup_ms = 0, median_ms = 0, p95_ms = 0, max_ms = 0;
  size_t bytes = 0;
  int64_t count = 0, window_count = -1, bucket_ms = -1, marks = 0;
  bool downsampled = false;
  std::string source{};  // what the server read: samples, rollup_1m, rollup_1h
  long rss_kb = -1;    // the server's RSS after this window's runs
};

// Nearest rank: the smallest value with at least p of the values at or below it.
double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

std::string Mb(long kb) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(kb) / 1024);
  return buf;
}

int Run(int argc, char** argv) {
  CLI::App app{"GET /api/stats/spc over history windows of llmscope serve, with max_points"};
  std::string binary = "./build/src/app/llmscope";
  int days = 90, batch = 10000, runs = 7, max_points = 2000;
  uint64_t seed = 1;
  double max_seconds = 1800, daily_amp = 0.05;
  bool keep_dir = false;
  app.add_option("--binary", binary, "the llmscope binary")->capture_default_str();
  app.add_option("--days", days, "days of samples (one per 2 s) ending now")
      ->check(CLI::Range(1, 90))
      ->capture_default_str();
  app.add_option("--seed", seed, "random seed of the samples")->capture_default_str();
  app.add_option("--daily-amp", daily_amp, "daily cycle of the latencies, ± this share")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  app.add_option("--batch", batch, "samples per POST /api/stats")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--runs", runs, "timed queries per window, after one warm-up")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  app.add_option("--max-points", max_points, "max_points of the downsampled queries")
      ->check(CLI::Range(4, 20000))
      ->capture_default_str();
  app.add_option("--max-seconds", max_seconds, "give up (exit 1) after this long")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--keep-dir", keep_dir, "keep the temporary data directory and server logs");
  CLI11_PARSE(app, argc, argv);

  const auto wall_start = Clock::now();
  const auto deadline = wall_start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(max_seconds));
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  signal(SIGPIPE, SIG_IGN);

  llmscope::testing::ServerOptions options;
  options.binary = binary;
  options.api_key = RandomKey();
  options.extra_args = {"--no-probe"};
  options.keep_dir = keep_dir;
  options.start_timeout = std::chrono::seconds(60);
  options.env = {{"LLMSCOPE_SERVER_BODY_LIMIT", std::to_string(32 << 20)},
                 {"LLMSCOPE_STORE_RETENTION_DAYS", std::to_string(days + 2)}};
  llmscope::testing::ServerProcess server(options);
  try {
    std::string error;
    if (!server.Start(&error)) throw RunFailure(error);
    std::fprintf(stderr, "server pid %d on 127.0.0.1:%d, data in %s\n", server.pid(), server.port(),
                 server.data_dir().c_str());
    Api api(server.port(), server.api_key(), deadline);
    auto check = [&] {
      if (g_interrupted) throw RunFailure("interrupted");
      if (Clock::now() > deadline) throw RunFailure("--max-seconds ran out");
      if (!server.Running()) throw RunFailure("the server died; stderr:\n" + server.Stderr());
    };

    // Ingest: D days ending now, in time order, in batches.
    const int64_t end_ms = NowMs();
    const int64_t begin_ms = end_ms - days * kDayMs;
    std::fprintf(stderr, "ingest: %lld samples from %s to %s, batches of %d\n",
                 static_cast<long long>(days * kDayMs / kIntervalMs),
                 llmscope::FormatIsoUtc(begin_ms).c_str(), llmscope::FormatIsoUtc(end_ms).c_str(),
                 batch);
    SampleStream stream(begin_ms, end_ms, daily_amp, seed);
    const auto ingest_start = Clock::now();
    double post_seconds = 0;
    int64_t posted = 0, detected = 0, last_posted = 0, next_report = kDayMs / kIntervalMs * 5;
    double last_s = 0;
    std::string body;
    while (!stream.done()) {
      body = R"({"samples":[)";
      int n = 0;
      for (; n < batch && !stream.done(); ++n) {
        if (n) body += ',';
        stream.AppendNext(body);
      }
      body += "]}";
      check();
      const auto t0 = Clock::now();
      const Json reply = Json::parse(api.PostSamples(body), nullptr, false);
      detected += reply.is_object() ? reply.value("violations_detected", int64_t{0}) : 0;
      post_seconds += SecondsSince(t0);
      posted += n;
      if (posted >= next_report) {
        // The rate of the last stretch: does ingest slow down as the store grows?
        const double s = SecondsSince(ingest_start);
        std::fprintf(stderr, "  %lld samples, %.0f samples/s since the last line, server RSS %s\n",
                     static_cast<long long>(posted), (posted - last_posted) / (s - last_s),
                     Mb(ProcStatusKb(server.pid(), "VmRSS")).c_str());
        last_posted = posted;
        last_s = s;
        next_report += kDayMs / kIntervalMs * 5;
      }
    }
    const double ingest_seconds = SecondsSince(ingest_start);
    const long ingest_rss_kb = ProcStatusKb(server.pid(), "VmRSS");
    const long ingest_hwm_kb = ProcStatusKb(server.pid(), "VmHWM");
    std::fprintf(stderr, "ingest done: %lld samples in %.1f s\n", static_cast<long long>(posted),
                 ingest_seconds);

    std::printf(
        "history_window_bench: %d days, %lld samples of one series (1 per 2 s), daily cycle "
        "±%.0f %%, seed %llu\n",
        days, static_cast<long long>(posted), daily_amp * 100,
        static_cast<unsigned long long>(seed));
    std::printf(
        "ingest: %.1f s, %.0f samples/s (%.1f s of it waiting on POST /api/stats, batches "
        "of %d); %lld violations detected\n",
        ingest_seconds, posted / ingest_seconds, post_seconds, batch,
        static_cast<long long>(detected));
    std::printf(
        "\nGET /api/stats/spc?metric=e2e_ms&columns=chart, until = the end of the data; "
        "max_points=%d unless 'full' (limit=43200); %d runs after one warm-up\n",
        max_points, runs);
    std::printf("%-10s %9s %9s %9s %9s %11s %8s %12s %6s %10s %6s %9s %s\n", "window", "warm-up",
                "median", "p95", "max", "bytes", "count", "window_count", "downs", "bucket_ms",
                "marks", "RSS", "source");

    // The queries: windows ending at one fixed `until` (now), longest fitting D.
    const int64_t until_ms = NowMs();
    std::vector<WindowResult> results;
    const std::pair<const char*, int64_t> spans[] = {{"1 h", kHourMs},
                                                     {"24 h", kDayMs},
                                                     {"7 d", 7 * kDayMs},
                                                     {"30 d", 30 * kDayMs},
                                                     {"90 d", 90 * kDayMs}};
    for (const auto& [name, span] : spans) {
      if (span > days * kDayMs) continue;
      results.push_back({name, span, false});
      if (span == kDayMs) results.push_back({"24 h full", kDayMs, true});
    }
    const auto query_start = Clock::now();
    for (WindowResult& w : results) {
      httplib::Params params = {{"provider", kProvider},
                                {"model", kModel},
                                {"metric", "e2e_ms"},
                                {"since", llmscope::FormatIsoUtc(until_ms - w.span_ms)},
                                {"until", llmscope::FormatIsoUtc(until_ms)},
                                {"columns", "chart"}};
      if (w.full_resolution) {
        params.emplace("limit", "43200");
      } else {
        params.emplace("max_points", std::to_string(max_points));
      }
      std::vector<double> times;
      std::string reply;
      for (int i = 0; i <= runs; ++i) {
        check();
        const auto t0 = Clock::now();
        reply = api.Get("/api/stats/spc", params);
        const double ms = SecondsSince(t0) * 1000;
        if (i == 0) {
          w.warmup_ms = ms;
        } else {
          times.push_back(ms);
        }
      }
      w.median_ms = Percentile(times, 0.5);
      w.p95_ms = Percentile(times, 0.95);
      w.max_ms = *std::max_element(times.begin(), times.end());
      w.bytes = reply.size();
      const Json j = Json::parse(reply);
      w.count = j.at("count").get<int64_t>();
      w.window_count = j.value("window_count", int64_t{-1});
      w.bucket_ms = j.value("bucket_ms", int64_t{-1});
      w.downsampled = j.value("downsampled", false);
      w.source = j.value("source", std::string("-"));
      if (j.contains("violation_marks")) w.marks = j["violation_marks"].at("ids").size();
      w.rss_kb = ProcStatusKb(server.pid(), "VmRSS");
      // Each row as soon as it is measured: a run cut short still shows the windows it did.
      std::printf(
          "%-10s %7.1fms %7.1fms %7.1fms %7.1fms %11zu %8lld %12lld %6s %10lld %6lld %9s %s\n",
          w.name.c_str(), w.warmup_ms, w.median_ms, w.p95_ms, w.max_ms, w.bytes,
          static_cast<long long>(w.count), static_cast<long long>(w.window_count),
          w.downsampled ? "yes" : "no", static_cast<long long>(w.bucket_ms),
          static_cast<long long>(w.marks), Mb(w.rss_kb).c_str(), w.source.c_str());
      std::fflush(stdout);
    }
    const double query_seconds = SecondsSince(query_start);
    const long query_rss_kb = ProcStatusKb(server.pid(), "VmRSS");
    const long query_hwm_kb = ProcStatusKb(server.pid(), "VmHWM");
    const int exit_code = server.Stop(std::chrono::seconds(30));

    std::printf(
        "\nserver RSS after ingest %s (peak %s); after the queries %s (peak %s); exit code "
        "%d after SIGTERM\n",
        Mb(ingest_rss_kb).c_str(), Mb(ingest_hwm_kb).c_str(), Mb(query_rss_kb).c_str(),
        Mb(query_hwm_kb).c_str(), exit_code);
    std::printf("wall time %.1f s (ingest %.1f s, queries %.1f s)\n", SecondsSince(wall_start),
                ingest_seconds, query_seconds);
    if (exit_code != 0) {
      std::fprintf(stderr, "the server exited with %d after SIGTERM; stderr:\n%s\n", exit_code,
                   server.Stderr().c_str());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    // RunFailure, or a reply that lacked a member this program reads (nlohmann throws).
    std::fprintf(stderr, "history_window_bench failed: %s\n", e.what());
    server.Kill();
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // before the server started
    std::fprintf(stderr, "history_window_bench failed: %s\n", e.what());
    return 1;
  }
}

// What the server's memory grows with (docs/design.md "Memory"): it starts `llmscope serve
// --no-probe` on 127.0.0.1 (a free port, a temporary data directory, a random key), posts
// --hours of samples of --sources sources at one sample per --interval-s each (timestamps in the
// past, ending now, all sources interleaved in time order as probes would send them) in batches
// through POST /api/stats, then asks GET /api/stats/spc for a day window of --spc-sources of
// them (max_points=2000, and at full resolution), then adds --extra-sources more sources with
// --extra-hours of history each and asks again. After each step it reads the server's VmRSS and
// VmHWM from /proc/<pid>/status, once at once and once after --settle-s (the server gives free
// heap pages back every 5 s), and reports the growth per added source.
// A measurement, not a test: it asserts nothing about the figures. The exit code is 1 only when
// the run itself failed (the server did not start or died, a request failed, the time ran out).
//
//   ./build/bench/many_sources_memory_bench --batch 500 --extra-hours 2 [--sources 200]
//       [--extra-sources 1000] [--interval-s 60] [--binary ./build/src/app/llmscope]
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
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

using Clock = std::chrono::steady_clock;

constexpr int64_t kHourMs = int64_t{3600} * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

std::atomic<bool> g_interrupted{false};

void OnSignal(int) {
  g_interrupted = true;
}

std::string ModelName(int source) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "model-%04d", source);
  return buf;
}

// Samples of sources [first, first + count) over [begin_ms, end_ms), one per source per
// `interval_ms`, time-major: e2e log-normal around 1.2 s (log-sd 0.2), 0.1 % failed calls.
class InterleavedSamples {
 public:
  InterleavedSamples(int first, int count, int64_t begin_ms, int64_t end_ms, int64_t interval_ms)
      : first_(first),
        count_(count),
        t_(begin_ms),
        end_ms_(end_ms),
        interval_ms_(interval_ms),
        rng_(static_cast<uint64_t>(first) + 1) {}

  bool done() const { return t_ >= end_ms_; }

  void AppendNext(std::string& out) {
    const int source = first_ + next_source_;
    const double ttft = 300 * std::exp(0.2 * normal_(rng_));
    const double tpot = 25 * std::exp(0.2 * normal_(rng_));
    out += R"({"provider":"bench","model":")";
    out += ModelName(source);
    out += R"(","site":"","profile":"short","timestamp":")";
    // Spread the sources over the interval, so no two samples of a batch share a time.
    llmscope::AppendIsoUtc(out, t_ + interval_ms_ * next_source_ / count_);
    if (uniform_(rng_) < 0.001) {
      out += R"(","error":true,"error_kind":"http_5xx"})";
    } else {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    R"(","ttft_ms":%.3f,"tpot_ms":%.4f,"e2e_ms":%.3f,"tokens_per_s":%.4f,)"
                    R"("tokens_out":36,"error":false})",
                    ttft, tpot, ttft + 36 * tpot, 1000 / tpot);
      out += buf;
    }
    if (++next_source_ == count_) {
      next_source_ = 0;
      t_ += interval_ms_;
    }
  }

 private:
  int first_, count_, next_source_ = 0;
  int64_t t_, end_ms_, interval_ms_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0, 1};
  std::uniform_real_distribution<double> uniform_{0, 1};
};

double Mb(long kb) {
  return static_cast<double>(kb) / 1024;
}

int Run(int argc, char** argv) {
  CLI::App app{"llmscope serve's memory with many sources that each hold a day of samples"};
  std::string binary = "./build/src/app/llmscope";
  int sources = 200, extra_sources = 1000, spc_sources = 20, batch = 5000;
  double interval_s = 60, hours = 24, extra_hours = 24, settle_s = 6, max_seconds = 1800;
  bool keep_dir = false;
  app.add_option("--binary", binary, "the llmscope binary")->capture_default_str();
  app.add_option("--sources", sources, "sources filled first")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--extra-sources", extra_sources, "sources added after the first measurement")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--interval-s", interval_s, "seconds between two samples of a source")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--hours", hours, "hours of samples per source, ending now")
      ->check(CLI::Range(0.1, 24.0 * 90))
      ->capture_default_str();
  app.add_option("--extra-hours", extra_hours, "hours of samples per added source, ending now")
      ->check(CLI::Range(0.1, 24.0 * 90))
      ->capture_default_str();
  app.add_option("--spc-sources", spc_sources, "sources whose day window is asked for")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--batch", batch, "samples per POST /api/stats")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--settle-s", settle_s, "seconds to wait before the settled RSS")
      ->check(CLI::Range(0.0, 60.0))
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

  const auto interval_ms = static_cast<int64_t>(interval_s * 1000);
  auto span_of = [&](double h) { return static_cast<int64_t>(h * static_cast<double>(kHourMs)); };
  llmscope::testing::ServerOptions options;
  options.binary = binary;
  options.api_key = RandomKey();
  options.extra_args = {"--no-probe"};
  options.keep_dir = keep_dir;
  options.start_timeout = std::chrono::seconds(60);
  options.env = {{"LLMSCOPE_SERVER_BODY_LIMIT", std::to_string(32 << 20)}};
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
    const int64_t end_ms = NowMs();

    std::printf(
        "many_sources_memory_bench: %d sources × %.1f h + %d sources × %.1f h, one sample per "
        "%.1f s each, batches of %d\n",
        sources, hours, extra_sources, extra_hours, interval_s, batch);
    std::printf("%-44s %8s %9s %10s %10s %10s\n", "step", "sources", "samples", "RSS MB",
                "settled MB", "peak MB");

    int64_t stored = 0;
    auto fill = [&](int first, int count, int64_t span_ms) {
      InterleavedSamples samples(first, count, end_ms - span_ms, end_ms, interval_ms);
      const auto t0 = Clock::now();
      const int64_t n0 = stored;
      std::string body;
      while (!samples.done()) {
        body = R"({"samples":[)";
        for (int n = 0; n < batch && !samples.done(); ++n) {
          if (n) body += ',';
          samples.AppendNext(body);
          ++stored;
        }
        body += "]}";
        check();
        api.PostSamples(body);
      }
      const double s = SecondsSince(t0);
      std::fprintf(stderr, "  %lld samples in %.1f s (%.0f samples/s)\n",
                   static_cast<long long>(stored - n0), s, (stored - n0) / s);
    };
    auto ask_day_windows = [&](int first, int count) {
      const httplib::Params base = {{"provider", "bench"},
                                    {"metric", "e2e_ms"},
                                    {"since", llmscope::FormatIsoUtc(end_ms - kDayMs)},
                                    {"until", llmscope::FormatIsoUtc(end_ms + 1)},
                                    {"columns", "chart"}};
      for (int i = 0; i < count; ++i) {
        check();
        httplib::Params p = base;
        p.emplace("model", ModelName(first + i));
        httplib::Params downsampled = p;
        downsampled.emplace("max_points", "2000");
        api.Get("/api/stats/spc", downsampled);
        p.emplace("limit", "43200");
        api.Get("/api/stats/spc", p);
      }
    };
    struct Reading {
      long rss_kb, settled_kb, hwm_kb;
    };
    auto measure = [&](const char* step, int held_sources) {
      Reading r{ProcStatusKb(server.pid(), "VmRSS"), 0, 0};
      std::this_thread::sleep_for(std::chrono::duration<double>(settle_s));
      check();
      r.settled_kb = ProcStatusKb(server.pid(), "VmRSS");
      r.hwm_kb = ProcStatusKb(server.pid(), "VmHWM");
      std::printf("%-44s %8d %9lld %10.1f %10.1f %10.1f\n", step, held_sources,
                  static_cast<long long>(stored), Mb(r.rss_kb), Mb(r.settled_kb), Mb(r.hwm_kb));
      std::fflush(stdout);
      return r;
    };

    measure("started, empty store", 0);
    fill(0, sources, span_of(hours));
    const Reading filled = measure("filled", sources);
    ask_day_windows(0, std::min(spc_sources, sources));
    const Reading asked = measure("after day windows (2000 points and full)", sources);
    if (extra_sources > 0) {
      fill(sources, extra_sources, span_of(extra_hours));
      const Reading grown = measure("more sources filled", sources + extra_sources);
      ask_day_windows(sources, std::min(spc_sources, extra_sources));
      const Reading grown_asked =
          measure("after day windows of the new sources", sources + extra_sources);
      std::printf(
          "\nper added source (settled RSS): %.3f MB after the fill, %.3f MB after the day "
          "windows\n",
          Mb(grown.settled_kb - filled.settled_kb) / extra_sources,
          Mb(grown_asked.settled_kb - asked.settled_kb) / extra_sources);
    }
    const int exit_code = server.Stop(std::chrono::seconds(30));
    std::printf("wall time %.1f s; exit code %d after SIGTERM\n", SecondsSince(wall_start),
                exit_code);
    if (exit_code != 0) {
      std::fprintf(stderr, "the server exited with %d after SIGTERM; stderr:\n%s\n", exit_code,
                   server.Stderr().c_str());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    // RunFailure, or an error in the reply this program reads.
    std::fprintf(stderr, "many_sources_memory_bench failed: %s\n", e.what());
    server.Kill();
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // before the server started
    std::fprintf(stderr, "many_sources_memory_bench failed: %s\n", e.what());
    return 1;
  }
}

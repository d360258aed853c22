#include "app/probe_command.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "app/config.h"
#include "app/exit_codes.h"
#include "probe/price_table.h"
#include "probe/provider_factory.h"
#include "probe/remote_push.h"
#include "probe/scheduler.h"
#include "server/json_views.h"
#include "spc/summary.h"
#include "telemetry/host_telemetry.h"

namespace llmscope::app {
namespace {

Error Bad(const std::string& key, const std::string& what) {
  return Error{"invalid_target", key + ": " + what};
}

std::optional<double> ParseDouble(const std::string& v) {
  double d = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return d;
}

Status SetBool(bool& out, const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") {
    out = true;
  } else if (v == "false" || v == "0" || v == "no") {
    out = false;
  } else {
    return Bad(key, "'" + v + "' is not true or false");
  }
  return {};
}

Status SetDouble(double& out, const std::string& key, const std::string& v) {
  std::optional<double> d = ParseDouble(v);
  if (!d) return Bad(key, "'" + v + "' is not a number");
  out = *d;
  return {};
}

// The prompt profiles a spec can name.
std::optional<probe::PromptProfile> BuiltInProfile(const std::string& name) {
  if (name == "short") return probe::PromptProfile{};
  if (name == "paragraph") {
    return probe::PromptProfile{
        "paragraph", "Write one paragraph of about 120 words on what a control chart shows.", 256};
  }
  if (name == "long") {
    return probe::PromptProfile{"long",
                                "Write about 600 words explaining statistical process control: "
                                "control charts, control limits and the Nelson rules.",
                                1024};
  }
  return std::nullopt;
}

// One series' values for the summary.
struct Tally {
  int64_t count = 0, errors = 0;
  std::vector<double> e2e, ttft;
};

std::string Label(const SourceKey& k) {
  std::string s = k.provider + "/" + k.model;
  if (!k.site.empty()) s += "@" + k.site;
  if (!k.profile.empty()) s += "#" + k.profile;
  return s;
}

server::Json Percentiles(std::vector<double>& values) {
  if (values.empty()) return nullptr;
  const spc::Summary s = spc::Summarize(values);
  return server::Json{{"p50", s.p50}, {"p95", s.p95}};
}

// "e2e p50 812.3 ms p95 930.0 ms", or "e2e -" when there are no values.
std::string Quantiles(const char* metric, const server::Json& p) {
  std::ostringstream o;
  o << metric;
  if (p.is_null()) {
    o << " -";
    return o.str();
  }
  o.precision(1);
  o << std::fixed << " p50 " << p["p50"].get<double>() << " ms p95 " << p["p95"].get<double>()
    << " ms";
  return o.str();
}

}  // namespace

Result<probe::Target> ParseTargetSpec(const std::string& spec) {
  probe::Target t;
  t.interval_s = -1;  // unset: RunProbe applies --interval or the default
  std::stringstream in(spec);
  std::string item;
  while (std::getline(in, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error{"invalid_target", "'" + item + "' is not key=value"};
    }
    const std::string key = item.substr(0, eq), v = item.substr(eq + 1);
    probe::SimulatedParams& sim = t.simulated;
    Status s;
    if (key == "provider") {
      t.provider = v;
    } else if (key == "model") {
      t.model = v;
    } else if (key == "base_url") {
      t.base_url = v;
    } else if (key == "key_env") {
      t.key_env = v;
    } else if (key == "name") {
      t.name = v;
    } else if (key == "site") {
      t.site = v;
    } else if (key == "ollama_api") {
      t.ollama_api = v;
    } else if (key == "stream") {
      s = SetBool(t.stream, key, v);
    } else if (key == "interval") {
      s = SetDouble(t.interval_s, key, v);
      if (s && t.interval_s < 0) s = Bad(key, "must be ≥ 0");
    } else if (key == "timeout") {
      s = SetDouble(t.timeout_s, key, v);
    } else if (key == "profile") {
      std::optional<probe::PromptProfile> p = BuiltInProfile(v);
      if (!p) return Bad(key, "'" + v + "' is not short, paragraph or long");
      t.profiles = {*p};
    } else if (key == "seed") {
      double seed = 0;
      s = SetDouble(seed, key, v);
      if (s && (seed < 0 || seed != static_cast<double>(static_cast<int64_t>(seed)))) {
        s = Bad(key, "must be a whole number ≥ 0");
      }
      sim.seed = static_cast<unsigned long long>(seed);
    } else if (key == "median_e2e_ms") {
      s = SetDouble(sim.median_e2e_ms, key, v);
    } else if (key == "sigma_log") {
      s = SetDouble(sim.sigma_log, key, v);
    } else if (key == "error_rate") {
      s = SetDouble(sim.error_rate, key, v);
    } else if (key == "incidents") {
      s = SetBool(sim.incidents, key, v);
    } else if (key == "sleep") {
      s = SetBool(sim.sleep, key, v);
    } else {
      return Bad(key, "unknown key");
    }
    if (!s) return s.error();
  }
  const double interval = t.interval_s;
  t.interval_s = 0;  // checked here once RunProbe has chosen it
  if (Status s = probe::CompleteTarget(t); !s) return s.error();
  t.interval_s = interval;
  return t;
}

CLI::App* AddProbeCommand(CLI::App& app, ProbeOptions& o) {
  CLI::App* cmd = app.add_subcommand("probe",
                                     "Measure LLM targets without a server: print the "
                                     "samples (--stdout) or push them (--push)");
  cmd->add_option("--target", o.targets,
                  "provider=P,model=M[,base_url=URL][,stream=true][,key_env=VAR][,interval=S]"
                  "[,timeout=S][,site=X][,profile=short|paragraph|long]; repeatable");
  cmd->add_option("--config", o.config_file, "TOML config whose [[targets]] to probe");
  cmd->add_option("--count", o.count, "calls per target, then stop (default: until a signal)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  cmd->add_option("--interval", o.interval_s, "seconds between calls of a target (default 2)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_flag("--stdout", o.to_stdout, "print each sample as a JSON line, then a summary");
  cmd->add_option("--push", o.push_url, "server base URL to push the samples to");
  cmd->add_option("--key", o.key, "the server's API key (default: env LLMSCOPE_API_KEY)");
  cmd->add_option("--spool-dir", o.spool_dir, "where unsent samples wait on disk")
      ->capture_default_str();
  return cmd;
}

int RunProbe(const ProbeOptions& o, std::ostream& out, std::ostream& err) {
  const auto usage = [&err](const std::string& message) {
    err << "llmscope probe: " << message << std::endl;
    return kExitUsage;
  };
  const auto fail = [&err](const std::string& message) {
    err << "llmscope probe: " << message << std::endl;
    return kExitRuntime;
  };
  if (!o.to_stdout && o.push_url.empty()) {
    return usage("nothing to do: give --stdout or --push URL");
  }

  std::vector<probe::Target> targets;
  for (const std::string& spec : o.targets) {
    Result<probe::Target> t = ParseTargetSpec(spec);
    if (!t) return usage("--target '" + spec + "': " + t.error().message);
    if (t->interval_s < 0) t->interval_s = o.interval_s >= 0 ? o.interval_s : 2;
    targets.push_back(std::move(*t));
  }
  if (!o.config_file.empty()) {
    Result<Config> config = LoadConfig(o.config_file, ProcessEnv);
    if (!config) return usage(config.error().message);
    for (probe::Target t : config->targets) {
      if (o.interval_s >= 0) t.interval_s = o.interval_s;
      targets.push_back(std::move(t));
    }
  }
  if (targets.empty()) return usage("no target: give --target SPEC or --config FILE");

  std::string key = o.key;
  if (!o.push_url.empty() && key.empty()) key = ProcessEnv("LLMSCOPE_API_KEY").value_or("");
  if (!o.push_url.empty() && key.empty()) {
    return usage("--push needs --key KEY (or the environment variable LLMSCOPE_API_KEY)");
  }

  // Signals are taken by one thread with sigwait; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const probe::PriceTable prices = probe::PriceTable::Defaults();
  std::vector<probe::ScheduledTarget> scheduled;
  for (probe::Target& t : targets) {
    Result<std::unique_ptr<probe::Provider>> provider = probe::MakeProvider(t, prices);
    if (!provider) return fail(t.name + ": " + provider.error().message);
    scheduled.push_back({std::move(t), std::move(*provider)});
  }
  std::unique_ptr<probe::RemotePush> push;
  if (!o.push_url.empty()) {
    probe::RemotePushOptions push_options;
    push_options.url = o.push_url;
    push_options.api_key = key;
    push_options.spool_dir = o.spool_dir;
    Result<std::unique_ptr<probe::RemotePush>> opened = probe::RemotePush::Open(push_options);
    if (!opened)
      return fail("cannot open the spool in " + o.spool_dir + ": " + opened.error().message);
    push = std::move(*opened);
  }

  std::mutex mu;  // guards out, err and tallies from the scheduler's workers
  std::map<SourceKey, Tally> tallies;
  const auto sink = [&](std::vector<Sample> samples) {
    if (push) {
      if (Status s = push->Submit(samples); !s) {
        std::lock_guard<std::mutex> lock(mu);
        err << "llmscope probe: samples not spooled: " << s.error().message << std::endl;
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    for (const Sample& s : samples) {
      Tally& t = tallies[s.source];
      ++t.count;
      if (s.error) {
        ++t.errors;
      } else {
        if (s.e2e_ms) t.e2e.push_back(*s.e2e_ms);
        if (s.ttft_ms) t.ttft.push_back(*s.ttft_ms);
      }
      if (o.to_stdout) out << server::SampleJson(s).dump() << '\n' << std::flush;
    }
  };

  telemetry::HostTelemetry telemetry;
  probe::SchedulerOptions options;
  options.max_calls = o.count;
  probe::ProbeScheduler scheduler(std::move(scheduled), sink, telemetry, options);
  std::atomic<bool> signalled{false};
  std::thread signal_watcher([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    signalled = true;
  });
  err << "llmscope probe: probing " << targets.size() << " target(s)"
      << (o.count > 0 ? ", " + std::to_string(o.count) + " call(s) each" : ", until a signal")
      << (push ? ", pushing to " + o.push_url : "") << std::endl;
  scheduler.Start();
  while (!signalled) {
    if (o.count > 0 && scheduler.WaitForCalls(std::chrono::milliseconds(100))) break;
    if (o.count == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  scheduler.Stop();
  if (push) {
    // Give the sender a few seconds to empty the spool; what is left is sent by the next run.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!signalled && push->stats().spooled > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    push->Stop();
    const probe::RemotePush::Stats st = push->stats();
    err << "llmscope probe: pushed " << st.sent << ", " << st.spooled << " waiting in "
        << o.spool_dir << ", " << st.dropped_oldest << " dropped (spool full), " << st.rejected
        << " rejected" << (st.last_error.empty() ? "" : "; last error: " + st.last_error)
        << std::endl;
  }
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();

  std::lock_guard<std::mutex> lock(mu);
  for (auto& [source, t] : tallies) {
    server::Json e2e = Percentiles(t.e2e), ttft = Percentiles(t.ttft);
    if (o.to_stdout) {
      out << server::Json{{"summary",
                           {{"series", Label(source)},
                            {"provider", source.provider},
                            {"model", source.model},
                            {"site", source.site},
                            {"profile", source.profile},
                            {"count", t.count},
                            {"errors", t.errors},
                            {"e2e_ms", e2e},
                            {"ttft_ms", ttft}}}}
                 .dump()
          << '\n';
    }
    err << "llmscope probe: " << Label(source) << ": " << t.count << " call(s), " << t.errors
        << " error(s), " << Quantiles("e2e", e2e) << ", " << Quantiles("ttft", ttft) << std::endl;
  }
  out << std::flush;
  return kExitOk;
}

}  // namespace llmscope::app

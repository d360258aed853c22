#include "app/serve_command.h"

#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "alert/alert_service.h"
#include "alert/alert_settings.h"
#include "app/config.h"
#include "app/demo_backfill.h"
#include "app/exit_codes.h"
#include "app/proxy_service.h"
#include "core/clock.h"
#include "monitor/series_monitor.h"
#include "monitor/store_tailer.h"
#include "probe/provider_factory.h"
#include "probe/scheduler.h"
#include "server/api_key.h"
#include "server/http_api.h"
#include "server/price_routes.h"
#include "server/series_settings_routes.h"
#include "server/slo_routes.h"
#include "settings/secret_box.h"
#include "settings/settings_watcher.h"
#include "settings/slo_table.h"
#include "store/open_store.h"
#include "store/shared_store.h"
#include "store/sketch_pass.h"
#include "targets/target_service.h"
#include "telemetry/host_telemetry.h"

namespace llmscope::app {
namespace {

int Fail(const std::string& message) {
  std::cerr << "llmscope serve: " << message << std::endl;
  return kExitRuntime;
}

// The store URL as it may be shown: any password in it replaced.
std::string Redacted(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// Keeps the store until told to stop. At start and then once an hour it deletes data past its
// retention period: samples and closed violations, then the minute rollups, then the hour
// rollups (and sketch hours), each kept at least as long as the one before (config.h); every 10
// minutes, after that, it sketches the closed hours whose samples are kept (store/sketch_pass.h;
// at first start after an upgrade, every such hour, in runs of kSketchHoursPerRun). An hour is
// sketched minutes after it closes, long before retention reaches it. `samples_deleted` hears
// each samples' cutoff once their rows are gone.
class RetentionLoop {
 public:
  RetentionLoop(store::Store& store, const Config& config,
                std::function<void(int64_t cutoff_ms)> samples_deleted)
      : store_(store),
        samples_deleted_(std::move(samples_deleted)),
        sample_days_(config.retention_days),
        minute_days_(std::max(config.rollup_minute_days, sample_days_)),
        hour_days_(std::max(config.rollup_hour_days, minute_days_)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~RetentionLoop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  static constexpr int64_t kSketchHoursPerRun = 500;  // ~1 s of samples read at 1,800 an hour

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

  // The first pass: the hours whose samples are kept, from the first whole one. Later passes:
  // the last kRecheckMs, where new hours close and late samples (a spooled probe's) land.
  static constexpr int64_t kRecheckMs = 2 * 86'400'000;
  void Sketch(int64_t now) {
    const int64_t kept_since = now - static_cast<int64_t>(sample_days_) * 86400000;
    const int64_t since =
        store::BucketStart(first_pass_done_ ? std::max(kept_since, now - kRecheckMs) : kept_since,
                           store::kRollupHourMs) +
        store::kRollupHourMs;
    const auto began = std::chrono::steady_clock::now();
    int64_t hours = 0, samples = 0;
    Result<store::SketchPassResult> pass{store::SketchPassResult{.complete = false}};
    while (pass && !pass->complete && !Stopping()) {
      pass = store::RunSketchPass(store_, since, now, kSketchHoursPerRun);
      if (pass) {
        hours += pass->hours_built;
        samples += pass->samples_read;
      }
    }
    if (hours > kSketchHoursPerRun) {  // a first pass over a store's history: say what it did
      std::cerr << "llmscope serve: sketched " << hours << " closed hours (" << samples
                << " samples) for the percentiles of long windows in "
                << std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - began)
                       .count()
                << " ms" << std::endl;
    }
    if (!pass) {
      std::cerr << "llmscope serve: sketching the closed hours failed: " << pass.error().message
                << std::endl;
    } else if (pass->complete) {
      first_pass_done_ = true;
    }
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    int64_t retention_due = 0;
    while (!stop_) {
      lock.unlock();
      const int64_t now = SystemNowMs();
      if (now >= retention_due) {
        retention_due = now + 3'600'000;
        DeleteExpired(now);
      }
      Sketch(now);
      lock.lock();
      cv_.wait_for(lock, std::chrono::minutes(10), [this] { return stop_; });
    }
  }

  void DeleteExpired(int64_t now) {
    auto cutoff = [now](int days) { return now - static_cast<int64_t>(days) * 86400000; };
    Result<int64_t> deleted = store_.DeleteOlderThan(cutoff(sample_days_));
    if (deleted) {
      samples_deleted_(cutoff(sample_days_));
      deleted = store_.DeleteRollupsOlderThan(store::kRollupMinuteMs, cutoff(minute_days_));
    }
    if (deleted) {
      deleted = store_.DeleteRollupsOlderThan(store::kRollupHourMs, cutoff(hour_days_));
    }
    if (!deleted) {
      std::cerr << "llmscope serve: retention failed: " << deleted.error().message << std::endl;
    }
  }
  store::Store& store_;
  const std::function<void(int64_t)> samples_deleted_;
  const int sample_days_, minute_days_, hour_days_;
  bool first_pass_done_ = false;  // the loop's thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// The target probed when none is configured: live charts, and incidents, at once.
probe::Target DefaultSimulatedTarget() {
  probe::Target t;
  t.name = "simulated/sim-llm";
  t.provider = "simulated";
  t.model = "sim-llm";
  t.interval_s = 2;
  t.timeout_s = 30;
  t.simulated.sleep = true;
  return t;
}

// The built-in probe's targets with their providers, and the start log line's words; `demo` set
// when the simulated demo target is among them (stored targets replace it: TargetService).
// `prices`: the live table (a handle the price routes change).
Result<std::vector<probe::ScheduledTarget>> ProbeTargets(const Config& config,
                                                         const ServeOptions& o,
                                                         const probe::PriceTable& prices,
                                                         std::string& description,
                                                         std::optional<probe::Target>& demo) {
  std::vector<probe::ScheduledTarget> out;
  if (o.no_probe) {
    description = "no probe (--no-probe)";
    return out;
  }
  std::vector<probe::Target> targets = config.targets;
  if (targets.empty()) {
    if (o.no_simulated) {
      description = "no probe (no [[targets]] configured, --no-simulated)";
      return out;
    }
    targets.push_back(DefaultSimulatedTarget());
    demo = targets.back();
    description =
        "no [[targets]] configured: probing the simulated provider (simulated/sim-llm "
        "every 2 s; --no-simulated turns it off) until a target is added through the API";
  } else {
    description = "probing " + std::to_string(targets.size()) + " target(s):";
    for (const probe::Target& t : targets) description += " " + t.name;
  }
  for (probe::Target& t : targets) {
    Result<std::unique_ptr<probe::Provider>> provider = probe::MakeProvider(t, prices);
    if (!provider) return Error{provider.error().code, t.name + ": " + provider.error().message};
    out.push_back({std::move(t), std::move(*provider)});
  }
  return out;
}

// The demo day (docs/design.md "Demo day"): when the default simulated target runs on an empty
// store, before alerting starts (so its violations send nothing).
Status BackfillDemoDayIfFresh(const Config& config, const ServeOptions& o, store::Store& store,
                              monitor::SeriesMonitor& monitor, const probe::PriceTable& prices) {
  const bool simulated = config.targets.empty() && !o.no_probe && !o.no_simulated;
  if (!simulated || !o.demo.value_or(config.demo)) return {};
  const auto started = std::chrono::steady_clock::now();
  Result<std::optional<DemoDay>> day =
      BackfillDemoDayIfEmpty(monitor, store, DefaultSimulatedTarget(), prices,
                             config.store_prompt_text);
  if (!day) return day.error();
  if (!day->has_value()) return {};
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::cerr << "llmscope serve: demo day: " << (*day)->samples
            << " simulated samples of the past 24 h stored in " << took.count() << " ms, "
            << (*day)->acknowledged
            << " open violation(s) acknowledged (no alerts); --demo=false turns it off, "
               "DELETE /api/demo deletes it"
            << std::endl;
  return {};
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, ServeOptions& o) {
  CLI::App* cmd = app.add_subcommand("serve", "Run the server: HTTP API, storage and SPC engine");
  cmd->add_option("--config", o.config_file, "TOML config file (see llmscope.example.toml)");
  cmd->add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option("--data-dir", o.data_dir, "data directory (default ./data)");
  cmd->add_option("--store", o.store_url, "store URL (default sqlite://DATA_DIR/llmscope.db)");
  cmd->add_flag("--public-reads", o.public_reads, "GET routes need no API key");
  cmd->add_flag("--no-probe", o.no_probe, "run no built-in probe, not even the simulated one");
  cmd->add_flag("--no-simulated", o.no_simulated,
                "without [[targets]], do not probe the simulated provider");
  cmd->add_option("--demo", o.demo,
                  "true/false: the simulated target on an empty store first fills the past day "
                  "(default: [server] demo, true)");
  return cmd;
}

int RunServe(const ServeOptions& o) {
  // glibc gives each busy thread a malloc arena of its own, and the API pool has dozens of
  // threads: two arenas keep the memory of large responses from lingering in many of them.
  mallopt(M_ARENA_MAX, 2);
  // A fixed mmap threshold (glibc raises it each time a large block is freed, after which large
  // response buffers come from the heap and stay there): blocks over 256 kB are mapped and
  // returned to the system when freed, and the heap gives back what is free above 16 MB.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
  // Signals are taken by one thread with sigwait; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Result<Config> loaded = LoadConfig(o.config_file, ProcessEnv);
  if (!loaded) return Fail(loaded.error().message);
  Config config = *loaded;
  if (!o.listen.empty()) config.listen = o.listen;
  if (!o.data_dir.empty()) config.data_dir = o.data_dir;
  if (!o.store_url.empty()) config.store_url = o.store_url;
  if (o.public_reads) config.public_reads = true;
  Result<std::pair<std::string, int>> listen = ParseListen(config.listen);
  if (!listen) return Fail(listen.error().message);
  Result<monitor::MonitorConfig> monitor_config = MonitorConfigFrom(config);
  if (!monitor_config) return Fail(monitor_config.error().message);

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Fail("cannot create the data directory " + config.data_dir + ": " + ec.message());
  Result<server::ApiKey> key = server::ResolveApiKey(ProcessEnv("LLMSCOPE_API_KEY").value_or(""),
                                                     config.api_key_file, config.data_dir);
  if (!key) return Fail(key.error().message);
  // Stored secrets (docs/design.md "Settings"): sealed under a key file beside the data.
  const std::string secret_key_file =
      config.secret_key_file.empty() ? config.data_dir + "/secret.key" : config.secret_key_file;
  Result<settings::SecretBox> secrets = settings::SecretBox::OpenKeyFile(secret_key_file);
  if (!secrets) return Fail(secrets.error().message);

  const std::string store_url = config.EffectiveStoreUrl();
  // A first start after an upgrade may convert stored data (the rollups: minutes for a store
  // with months of many sources' history): say so before the wait, not after it.
  Result<std::unique_ptr<store::Store>> store =
      store::OpenStore(store_url, [](int64_t from_version, int64_t to_version) {
        std::cerr << "llmscope serve: upgrading the store's schema from version " << from_version
                  << " to " << to_version
                  << " (once; converting a large store's history can take a few minutes)"
                  << std::endl;
      });
  if (!store)
    return Fail("cannot open the store " + Redacted(store_url) + ": " + store.error().message);
  // A store other servers may share (PostgreSQL): charts fed from it in id order (shared mode).
  auto* shared_store = dynamic_cast<store::SharedStore*>(store->get());
  monitor::SeriesMonitor monitor(**store, *monitor_config, shared_store);
  // Per-series overrides (docs/design.md "Per-series overrides"), before the replay: a series'
  // next stage takes them, and the replay judges by the rules and budget now in force.
  if (Status s = server::ReloadSeriesOverrides(**store, monitor); !s) {
    return Fail("cannot read the series' overrides: " + s.error().message);
  }
  const auto rebuild_began = std::chrono::steady_clock::now();
  if (Status s = monitor.Rebuild(); !s)
    return Fail("cannot restore the charts: " + s.error().message);
  std::cerr << "llmscope serve: charts restored from the store in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - rebuild_began)
                   .count()
            << " ms" << std::endl;
  // The prices the probe and the proxy cost calls at (docs/design.md "Prices and cost"): one
  // shared table, the built-in prices with the stored ones over them, reloaded on each change
  // of the settings (below). The demo day is costed at them too.
  probe::PriceTable prices = probe::PriceTable::Defaults();
  if (Status s = server::ReloadPrices(**store, prices); !s) {
    return Fail("cannot read the stored prices: " + s.error().message);
  }
  if (Status s = BackfillDemoDayIfFresh(config, o, **store, monitor, prices); !s) {
    return Fail("cannot fill the demo day: " + s.error().message);
  }
  // Settings changed through the API, here or on another server on the database, apply live
  // (docs/design.md "Settings"): one watcher tells each feature.
  settings::SettingsWatcher settings_watcher(**store,
                                             std::chrono::milliseconds(config.settings_poll_ms));

  // Alerting: the outbox listens to the monitor and the dispatcher sends, to the file's sinks and
  // those added through the API (applied live).
  auto log_line = [](const std::string& line) {
    std::cerr << "llmscope serve: " << line << std::endl;
  };
  Result<std::unique_ptr<alert::AlertService>> alerting =
      alert::AlertService::Start(config.alerts, **store, monitor, ProcessEnv, log_line);
  if (!alerting) return Fail("cannot start alerting: " + alerting.error().message);
  if (!config.alerts.sinks.empty()) {
    std::string names;
    for (const alert::SinkConfig& sink : config.alerts.sinks) names += " " + sink.name;
    std::cerr << "llmscope serve: alerting to " << config.alerts.sinks.size()
              << " sink(s):" << names << std::endl;
  }
  alert::AlertSettings alert_settings(**store, *secrets, config.alerts,
                                      o.config_file.empty() ? "(none)" : o.config_file, **alerting,
                                      ProcessEnv, SystemNowMs, log_line);
  settings_watcher.Subscribe([&store, &monitor, log_line] {
    if (Status s = server::ReloadSeriesOverrides(**store, monitor); !s) {
      log_line("series overrides not applied: " + s.error().message);
    }
  });
  settings_watcher.Subscribe([&alert_settings, log_line] {
    if (Status s = alert_settings.Apply(); !s) {
      log_line("alert: settings not applied: " + s.error().message);
    }
  });

  settings_watcher.Subscribe([&store, prices]() mutable {
    if (Status s = server::ReloadPrices(**store, prices); !s) {
      std::cerr << "llmscope serve: cannot reload the prices: " << s.error().message << std::endl;
    }
  });

  // Each series' SLO, read by the SPC view and /metrics from memory, reloaded on each change.
  settings::SloTable slos;
  if (Status s = server::ReloadSlos(**store, slos); !s) {
    return Fail("cannot read the stored SLOs: " + s.error().message);
  }
  settings_watcher.Subscribe([&store, slos]() mutable {
    if (Status s = server::ReloadSlos(**store, slos); !s) {
      std::cerr << "llmscope serve: cannot reload the SLOs: " << s.error().message << std::endl;
    }
  });

  // The proxy: real application calls take the single ingest path too (docs/design.md "Proxy").
  std::unique_ptr<ProxyService> proxy;
  if (config.proxy.enabled) {
    Result<std::unique_ptr<ProxyService>> started = ProxyService::Start(
        config.proxy, key->value, monitor, prices,
        [](const std::string& line) { std::cerr << "llmscope serve: " << line << std::endl; });
    if (!started) return Fail(started.error().message);
    proxy = std::move(*started);
    std::string names;
    for (const proxy::Upstream& u : config.proxy.upstreams) names += " " + u.name;
    std::cerr << "llmscope serve: proxy listening on http://"
              << ParseListen(config.proxy.listen)->first << ":" << proxy->port() << " to" << names
              << (config.proxy.require_key ? " (X-LLMscope-Key required)" : "") << std::endl;
  }

  server::HttpOptions http;
  http.host = listen->first;
  http.port = listen->second;
  http.public_reads = config.public_reads;
  http.public_metrics = config.public_metrics;
  http.public_status = config.public_status;
  http.cors_origin = config.cors_origin;
  http.body_limit = static_cast<size_t>(config.body_limit);
  http.max_stream_clients = config.max_stream_clients;
  http.stream_queue_frames = static_cast<size_t>(config.stream_queue_frames);
  http.max_connections_per_address = config.max_connections_per_address;
  http.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  http.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  http.io_threads = config.io_threads > 0
                        ? config.io_threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  http.api_threads = config.handler_threads;
  http.ingest.max_latency_ms = config.max_latency_ms;
  http.ingest.max_tokens_per_s = config.max_tokens_per_s;
  http.ingest.max_cost_usd = config.max_cost_usd;
  http.ingest.max_token_count = config.max_token_count;
  http.ingest.store_prompt_text = config.store_prompt_text;
  http.store_description = Redacted(store_url);
  http.severities = config.alerts.severities;
  http.alert_settings = &alert_settings;
  if (proxy) http.extra_metrics = [&proxy] { return proxy->MetricsText(); };
  http.prices = prices;
  http.slos = slos;
  telemetry::HostTelemetry telemetry;
  std::string probe_description;
  std::optional<probe::Target> demo;
  Result<std::vector<probe::ScheduledTarget>> probe_targets =
      ProbeTargets(config, o, prices, probe_description, demo);
  if (!probe_targets) return Fail(probe_targets.error().message);
  // The built-in probe feeds the single ingest path, like the API and remote probes.
  const bool keep_prompt_text = config.store_prompt_text;
  probe::ProbeScheduler scheduler(
      std::move(*probe_targets),
      [&monitor, keep_prompt_text](std::vector<Sample> samples) {
        if (!keep_prompt_text) {
          for (Sample& s : samples) s.prompt_text.reset();
        }
        Result<monitor::IngestReceipt> receipt = monitor.Ingest(std::move(samples));
        if (!receipt) {
          std::cerr << "llmscope serve: probe sample not stored: " << receipt.error().message
                    << std::endl;
        }
      },
      telemetry);
  // Stored targets start, change and stop probing live (docs/design.md "Settings").
  targets::TargetService target_service(
      **store, *secrets, o.no_probe ? nullptr : &scheduler,
      targets::TargetServiceOptions{config.targets, o.config_file, demo, prices},
      [&settings_watcher] { settings_watcher.Poke(); },
      [](const std::string& line) { std::cerr << "llmscope serve: " << line << std::endl; });
  settings_watcher.Subscribe([&target_service] { target_service.ApplyStored(); });
  server::HttpApi api(http, monitor, **store, key->value, telemetry,
                      server::SettingsServices{&*secrets, &settings_watcher, &target_service});
  if (Status s = api.LoadRecent(); !s) {
    return Fail("cannot read recent samples: " + s.error().message);
  }
  malloc_trim(0);  // what the start-up replay used
  // Each connection and stream is a descriptor: allow as many as the hard limit (systemd and
  // most shells start services at a soft limit of 1,024).
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  Result<int> port = api.Bind();
  if (!port) return Fail(port.error().message);

  if (key->generated) {
    // Shown once, on the first start only; it is never logged.
    std::cout << "New API key (stored in " << config.data_dir
              << "/api_key, shown only now): " << key->value << std::endl;
  }
  std::cerr << "llmscope serve: listening on http://" << http.host << ":" << *port << ", store "
            << Redacted(store_url) << ", API key from " << key->origin << std::endl;
  std::cerr << "llmscope serve: " << probe_description << std::endl;

  scheduler.Start();
  settings_watcher.Start();

  std::thread signal_watcher([&] {
    // Every 5 s without a signal, the heap's free pages go back to the system (a large
    // response, a replay, a burst of ingest leave them behind); malloc_trim takes a few ms.
    int signal_number = -1;
    const timespec every{5, 0};
    while (signal_number < 0) {
      signal_number = sigtimedwait(&signals, nullptr, &every);
      if (signal_number < 0) malloc_trim(0);
    }
    std::cerr << "llmscope serve: stopping (signal " << signal_number << ")" << std::endl;
    settings_watcher.Stop();
    scheduler.Stop();
    api.Stop();
  });
  {
    RetentionLoop retention(**store, config,
                            [&api](int64_t cutoff_ms) { api.ForgetSamplesOlderThan(cutoff_ms); });
    std::optional<monitor::StoreTailer> tailer;
    if (shared_store != nullptr) {
      tailer.emplace(monitor, std::chrono::milliseconds(200), [](const Error& e) {
        std::cerr << "llmscope serve: reading other servers' samples failed (retrying): "
                  << e.message << std::endl;
      });
    }
    api.Serve();
  }
  // Serve() can also return on its own (a listener failure): wake the watcher so it can join.
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  settings_watcher.Stop();  // before the features its listeners reach go
  scheduler.Stop();
  if (proxy) {
    const uint64_t dropped = proxy->dropped();
    proxy.reset();
    if (dropped > 0) {
      std::cerr << "llmscope serve: the proxy dropped " << dropped
                << " sample(s): the store could not keep up" << std::endl;
    }
  }
  std::cerr << "llmscope serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace llmscope::app

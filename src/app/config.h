// LLMscope's configuration (docs/design.md "Shape"): one TOML file, every key overridable by
// an environment variable named LLMSCOPE_<SECTION>_<KEY> (e.g. LLMSCOPE_SERVER_LISTEN,
// LLMSCOPE_STORE_URL, LLMSCOPE_SPC_BASELINE), and the main ones by flags (applied by the
// command after loading). Precedence: flag > environment > file > default.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_config.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "probe/target.h"
#include "proxy/upstream_routes.h"

namespace llmscope::app {

struct Config {
  // [server]
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  bool public_reads = false;
  bool public_metrics = false;
  bool public_status = false;  // /status, /api/status and /badge/* need no key
  std::string api_key_file;    // the key itself only through LLMSCOPE_API_KEY or this file
  std::string cors_origin;
  int64_t body_limit = 1 << 20;
  int max_stream_clients = 1000;
  int64_t stream_queue_frames = 16384;  // events a viewer may fall behind before it is dropped
  int max_connections_per_address = 512;
  int64_t request_timeout_ms = 10000;  // headers within it; a body within it + size at 64 KB/s
  int64_t shutdown_grace_ms = 10000;   // SIGTERM: how long in-flight requests may finish
  // The HTTP engine's threads (docs/design.md "HTTP engine"): I/O (0: one per core) and the
  // route handlers that may block on the store.
  int io_threads = 0;
  int handler_threads = 16;
  bool store_prompt_text = false;  // off: samples keep their prompt_hash only
  // The default simulated target on an empty store first fills the past day (app/demo_backfill.h).
  bool demo = true;
  // [ingest]: sane bounds of a pushed sample (server::IngestLimits); beyond one it is refused.
  double max_latency_ms = 86'400'000;  // e2e (latency), ttft, tpot, Ollama's durations: a day
  double max_tokens_per_s = 1e7;       // tokens_per_s, prompt_efficiency
  double max_cost_usd = 1e4;           // per call
  int64_t max_token_count = 1'000'000'000;
  // [store]
  std::string store_url;  // empty: sqlite://<data_dir>/llmscope.db
  int retention_days = 30;  // samples and closed violations
  // Rollups (docs/design.md "Rollups"), each kept at least as long as what it summarizes: a
  // shorter setting counts as retention_days (minutes) or the minutes' days (hours).
  int rollup_minute_days = 30;
  int rollup_hour_days = 400;
  // [spc]
  int baseline = 100;  // B; the error p-chart takes B / 20 subgroups of 20 calls (at least 1)
  std::string transform = "log";  // of the latency metrics; the others are charted as they are
  std::string sigma = "mr_mean";
  std::string rules = "R1,R2,R3,R4,R5,R6,R7,R8";
  // [alerting]: the alarm detectors that decide what reaches a person (docs/spc.md §9).
  double false_alerts_per_30d = 1.0;     // expected false alerts per series per 30 days
  double degraded_per_30d = 30.0 / 7.0;  // expected false `degraded` states: about weekly
  double tolerance = 0.05;               // a level change this small (relative) is no incident
  double target_change = 0.20;           // the change detected fastest (×1.2)
  double jump_change = 0.50;             // a JUMP (critical) needs at least ×1.5 in one subgroup
  double error_rise = 0.05;              // ERRORS: the rise of the error share detected fastest
  int subgroup_size = 15;                // points per subgroup (30 s at a 2 s probe)
  int baseline_subgroups = 40;           // subgroups of a detector's baseline
  int error_baseline_calls = 600;
  bool auto_resolve = true;  // resolve an alarm event when its level is back
  // [settings] (docs/design.md "Settings"): the key file sealing stored secrets ("" means
  // <data_dir>/secret.key) and how often the store is asked whether another server changed them.
  std::string secret_key_file;
  int64_t settings_poll_ms = 2000;
  // [[targets]]: the built-in probe's targets, complete (probe::CompleteTarget) and checked.
  std::vector<probe::Target> targets;
  // [alerts]: sinks, routes, mute windows, severities, retry policy (app/alert_config_toml).
  alert::AlertConfig alerts;
  // [proxy] and [[proxy.upstreams]]: the proxy (docs/design.md "Proxy"), run by serve when the
  // file has a [proxy] section; then at least one upstream is required.
  struct Proxy {
    bool enabled = false;
    std::string listen = "127.0.0.1:8090";
    bool require_key = false;  // clients send the API key in X-LLMscope-Key
    double timeout_s = 300;    // an upstream silent this long (before or mid-reply) fails the call
    int64_t queue = 10000;     // samples waiting for the store; beyond, dropped and counted
    std::vector<proxy::Upstream> upstreams;
  } proxy;

  std::string EffectiveStoreUrl() const;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads `path` (empty: no file, defaults only) and then the environment. Errors name the file,
// the key and what is wrong: "config_file" (unreadable, TOML syntax with line and column),
// "config_value" (wrong type, unknown key, out of range; in [[targets]] the target's index and
// key, e.g. "targets[1].interval_s: must be a number"). Targets are not overridable by the
// environment.
Result<Config> LoadConfig(const std::string& path, const EnvLookup& env);

// The process environment.
std::optional<std::string> ProcessEnv(const std::string& name);

// The monitor's chart settings from [spc]. Errors: "config_value".
Result<monitor::MonitorConfig> MonitorConfigFrom(const Config& config);

// "HOST:PORT" → host and port. Errors: "config_value".
Result<std::pair<std::string, int>> ParseListen(const std::string& listen);

}  // namespace llmscope::app

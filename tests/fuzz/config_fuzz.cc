// Fuzzes the TOML config reader (app/config.h) with arbitrary file contents: it must never crash,
// refuse only with "config_file" or "config_value", and a config it accepts must give chart
// settings or a "config_value" error. LoadConfig reads a path, so each input is written to one
// temporary file of this process first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "app/config.h"
#include "fuzz_check.h"

namespace {

const std::string& ConfigPath() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp ? tmp : "/tmp") + "/llmscope-config-fuzz-" + std::to_string(getpid()) +
           ".toml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    std::ofstream out(ConfigPath(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  const auto config = llmscope::app::LoadConfig(ConfigPath(), no_env);
  std::remove(ConfigPath().c_str());
  if (!config.ok()) {
    FUZZ_CHECK(config.error().code == "config_file" || config.error().code == "config_value");
    return 0;
  }
  const auto chart = llmscope::app::MonitorConfigFrom(*config);
  FUZZ_CHECK(chart.ok() || chart.error().code == "config_value");
  const auto listen = llmscope::app::ParseListen(config->listen);
  FUZZ_CHECK(listen.ok() || listen.error().code == "config_value");
  return 0;
}

// Typed reads of one TOML value for the config readers (config.cc, alert_config_toml.cc). Each
// checks the node's type (and an integer's range), writes `out` and returns ok, or returns
// "config_value" naming `key` and what is wrong ("servers.listen: must be a string"), leaving
// `out` as it was.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace llmscope::app {

Error ConfigValueError(const std::string& key, const std::string& what);

Status TomlString(std::string& out, const std::string& key, const toml::node& n);
Status TomlBool(bool& out, const std::string& key, const toml::node& n);
// An integer or a float.
Status TomlNumber(double& out, const std::string& key, const toml::node& n);
// A string, or an array of strings.
Status TomlStrings(std::vector<std::string>& out, const std::string& key, const toml::node& n);

// A whole number within [min, max].
template <typename T>
Status TomlInt(T& out, const std::string& key, const toml::node& n, int64_t min, int64_t max) {
  if (!n.is_integer()) return ConfigValueError(key, "must be a whole number");
  const int64_t v = n.as_integer()->get();
  if (v < min || v > max) {
    return ConfigValueError(key,
                            "must be within " + std::to_string(min) + ".." + std::to_string(max));
  }
  out = static_cast<T>(v);
  return {};
}

}  // namespace llmscope::app

#include "app/toml_values.h"

namespace llmscope::app {

Error ConfigValueError(const std::string& key, const std::string& what) {
  return Error{"config_value", key + ": " + what};
}

Status TomlString(std::string& out, const std::string& key, const toml::node& n) {
  if (!n.is_string()) return ConfigValueError(key, "must be a string");
  out = n.as_string()->get();
  return {};
}

Status TomlBool(bool& out, const std::string& key, const toml::node& n) {
  if (!n.is_boolean()) return ConfigValueError(key, "must be true or false");
  out = n.as_boolean()->get();
  return {};
}

Status TomlNumber(double& out, const std::string& key, const toml::node& n) {
  if (n.is_integer()) {
    out = static_cast<double>(n.as_integer()->get());
  } else if (n.is_floating_point()) {
    out = n.as_floating_point()->get();
  } else {
    return ConfigValueError(key, "must be a number");
  }
  return {};
}

Status TomlStrings(std::vector<std::string>& out, const std::string& key, const toml::node& n) {
  std::vector<std::string> strings;
  if (n.is_string()) {
    strings.push_back(n.as_string()->get());
  } else if (const toml::array* a = n.as_array()) {
    for (const toml::node& item : *a) {
      if (!item.is_string()) return ConfigValueError(key, "must hold strings");
      strings.push_back(item.as_string()->get());
    }
  } else {
    return ConfigValueError(key, "must be a string or an array of strings");
  }
  out = std::move(strings);
  return {};
}

}  // namespace llmscope::app

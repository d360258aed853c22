// Parses text of JSON lines (one value a line), as `llmscope analyze --format json` and
// `llmscope probe --stdout` print them. Throws nlohmann::json::parse_error on a bad line, which
// fails the test that called it.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace llmscope::testing {

inline std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace llmscope::testing

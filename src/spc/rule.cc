#include "spc/rule.h"

#include <charconv>
#include <cmath>
#include <sstream>
#include <string>

namespace llmscope::spc {
namespace {

constexpr std::array<std::string_view, kRuleCount> kNames = {
    "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "EWMA", "CUSUM", "SHIFT", "JUMP", "ERRORS"};

constexpr std::array<std::string_view, kRuleCount> kMeanings = {
    "one point beyond 3 sigma: a sudden spike or drop",
    "9 points in a row on one side of the center: a sustained shift",
    "6 points in a row steadily increasing or decreasing: a drift",
    "14 points in a row alternating up and down: oscillation, e.g. two alternating backends",
    "2 of 3 points beyond 2 sigma on one side: a shift is starting",
    "4 of 5 points beyond 1 sigma on one side: a small sustained shift",
    "15 points in a row within 1 sigma: variance dropped (caching, or a changed process)",
    "8 points in a row beyond 1 sigma on either side: a mixture of two regimes",
    "the exponentially weighted mean left its limits: a small persistent shift",
    "the cumulative sum of deviations passed its threshold: a small persistent shift",
    "the level moved in its bad direction and stayed there: a sustained regression",
    "the level jumped far in its bad direction within one subgroup: a sudden regression",
    "the share of failed calls rose above what the baseline allows: an error surge",
};

Error Invalid(std::string message) { return Error{"invalid_rule_config", std::move(message)}; }

bool ParseInt(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double& out) {
  // std::from_chars for double is in libstdc++ 11+.
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view RuleName(Rule r) { return kNames[static_cast<size_t>(r)]; }

std::string_view RuleMeaning(Rule r) { return kMeanings[static_cast<size_t>(r)]; }

std::optional<Rule> ParseRuleName(std::string_view name) {
  for (int i = 0; i < kRuleCount; ++i) {
    const Rule r = static_cast<Rule>(i);
    std::string_view n = RuleName(r);
    if (n.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size(); ++i) {
      char c = name[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != n[i]) same = false;
    }
    if (same) return r;
  }
  return std::nullopt;
}

Status Validate(const RuleConfig& c) {
  const int max = RuleConfig::kMaxWindow;
  auto run_ok = [max](int n) { return n >= 2 && n <= max; };
  if (!(c.r1_sigma > 0) || !std::isfinite(c.r1_sigma)) return Invalid("R1: K must be > 0");
  if (!run_ok(c.r2_run)) return Invalid("R2: run must be 2.." + std::to_string(max));
  if (!run_ok(c.r3_run)) return Invalid("R3: run must be 2.." + std::to_string(max));
  if (!run_ok(c.r4_run) || c.r4_run < 3) return Invalid("R4: run must be 3.." + std::to_string(max));
  if (!run_ok(c.r5_window) || c.r5_count < 1 || c.r5_count > c.r5_window)
    return Invalid("R5: need 1 <= count <= window <= " + std::to_string(max));
  if (!run_ok(c.r6_window) || c.r6_count < 1 || c.r6_count > c.r6_window)
    return Invalid("R6: need 1 <= count <= window <= " + std::to_string(max));
  if (!run_ok(c.r7_run)) return Invalid("R7: run must be 2.." + std::to_string(max));
  if (!run_ok(c.r8_run)) return Invalid("R8: run must be 2.." + std::to_string(max));
  if (!(c.ewma_lambda > 0 && c.ewma_lambda <= 1)) return Invalid("EWMA: lambda must be in (0, 1]");
  if (!(c.ewma_l > 0) || !std::isfinite(c.ewma_l)) return Invalid("EWMA: L must be > 0");
  if (!(c.cusum_k >= 0) || !std::isfinite(c.cusum_k)) return Invalid("CUSUM: k must be >= 0");
  if (!(c.cusum_h > 0) || !std::isfinite(c.cusum_h)) return Invalid("CUSUM: h must be > 0");
  return {};
}

Result<RuleConfig> ParseRuleList(std::string_view list, RuleConfig base) {
  RuleConfig config = base;
  config.enabled = 0;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view item = Trim(list.substr(start, comma - start));
    start = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view name = Trim(item.substr(0, eq));
    auto rule = ParseRuleName(name);
    if (!rule || IsAlarmRule(*rule)) {
      return Error{"unknown_rule", "unknown rule '" + std::string(name) +
                                       "' (known: R1..R8, EWMA, CUSUM)"};
    }
    config.enabled |= Bit(*rule);
    if (eq == std::string_view::npos) continue;
    std::string_view k = Trim(item.substr(eq + 1));
    std::string bad = "bad K '" + std::string(k) + "' for " + std::string(RuleName(*rule));
    bool ok = true;
    switch (*rule) {
      case Rule::kR1: ok = ParseDouble(k, config.r1_sigma); break;
      case Rule::kR2: ok = ParseInt(k, config.r2_run); break;
      case Rule::kR3: ok = ParseInt(k, config.r3_run); break;
      case Rule::kR4: ok = ParseInt(k, config.r4_run); break;
      case Rule::kR7: ok = ParseInt(k, config.r7_run); break;
      case Rule::kR8: ok = ParseInt(k, config.r8_run); break;
      case Rule::kEwma: ok = ParseDouble(k, config.ewma_lambda); break;
      case Rule::kCusum: ok = ParseDouble(k, config.cusum_h); break;
      case Rule::kShift:
      case Rule::kJump:
      case Rule::kErrors: break;  // refused above
      case Rule::kR5:
      case Rule::kR6: {
        size_t slash = k.find('/');
        int& count = *rule == Rule::kR5 ? config.r5_count : config.r6_count;
        int& window = *rule == Rule::kR5 ? config.r5_window : config.r6_window;
        ok = slash != std::string_view::npos && ParseInt(k.substr(0, slash), count) &&
             ParseInt(k.substr(slash + 1), window);
        if (!ok) bad += " (expected count/window, e.g. 2/3)";
        break;
      }
    }
    if (!ok) return Invalid(bad);
  }
  if (Status s = Validate(config); !s) return s.error();
  return config;
}

std::string FormatRuleList(const RuleConfig& config) {
  const RuleConfig d;
  auto number = [](double x) {
    std::ostringstream out;
    out << x;
    return out.str();
  };
  std::string out;
  for (Rule r : kAllRules) {
    if (!config.enabled_rule(r)) continue;
    if (!out.empty()) out += ',';
    out += RuleName(r);
    std::string k;
    switch (r) {
      case Rule::kR1: if (config.r1_sigma != d.r1_sigma) k = number(config.r1_sigma); break;
      case Rule::kR2: if (config.r2_run != d.r2_run) k = std::to_string(config.r2_run); break;
      case Rule::kR3: if (config.r3_run != d.r3_run) k = std::to_string(config.r3_run); break;
      case Rule::kR4: if (config.r4_run != d.r4_run) k = std::to_string(config.r4_run); break;
      case Rule::kR7: if (config.r7_run != d.r7_run) k = std::to_string(config.r7_run); break;
      case Rule::kR8: if (config.r8_run != d.r8_run) k = std::to_string(config.r8_run); break;
      case Rule::kEwma:
        if (config.ewma_lambda != d.ewma_lambda) k = number(config.ewma_lambda);
        break;
      case Rule::kCusum: if (config.cusum_h != d.cusum_h) k = number(config.cusum_h); break;
      case Rule::kR5:
        if (config.r5_count != d.r5_count || config.r5_window != d.r5_window) {
          k = std::to_string(config.r5_count) + "/" + std::to_string(config.r5_window);
        }
        break;
      case Rule::kR6:
        if (config.r6_count != d.r6_count || config.r6_window != d.r6_window) {
          k = std::to_string(config.r6_count) + "/" + std::to_string(config.r6_window);
        }
        break;
      default: break;
    }
    if (!k.empty()) out += "=" + k;
  }
  return out;
}

}  // namespace llmscope::spc

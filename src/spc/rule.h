// The detection rules: the chart rules of docs/spc.md §5 and §6 (R1–R8, EWMA, CUSUM), and the alarm
// detectors of docs/spc.md §9 (SHIFT, JUMP, ERRORS); their names, one-line meanings and parameters.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace llmscope::spc {

enum class Rule : uint8_t {
  kR1,
  kR2,
  kR3,
  kR4,
  kR5,
  kR6,
  kR7,
  kR8,
  kEwma,
  kCusum,  // the chart rules
  kShift,
  kJump,
  kErrors  // the alarm detectors (docs/spc.md §9)
};
// Every rule: arrays indexed by Rule have this size.
inline constexpr int kRuleCount = 13;
// The chart rules, which a ControlChart evaluates per point and `llmscope analyze` reports.
inline constexpr int kChartRuleCount = 10;
inline constexpr std::array<Rule, kChartRuleCount> kAllRules = {
    Rule::kR1, Rule::kR2, Rule::kR3, Rule::kR4,   Rule::kR5,
    Rule::kR6, Rule::kR7, Rule::kR8, Rule::kEwma, Rule::kCusum};
inline constexpr std::array<Rule, 3> kAlarmRules = {Rule::kShift, Rule::kJump, Rule::kErrors};
constexpr bool IsAlarmRule(Rule r) {
  return r >= Rule::kShift;
}

// A set of rules, one bit per Rule.
using RuleMask = uint16_t;
constexpr RuleMask Bit(Rule r) {
  return static_cast<RuleMask>(1u << static_cast<unsigned>(r));
}
constexpr bool Has(RuleMask m, Rule r) {
  return (m & Bit(r)) != 0;
}

// "R1".."R8", "EWMA", "CUSUM", "SHIFT", "JUMP", "ERRORS": the names used in config, the API and
// alerts. ParseRuleName knows them all (case-insensitive).
std::string_view RuleName(Rule r);
std::optional<Rule> ParseRuleName(std::string_view name);
// One line saying what the rule detects, for legends, alerts and the terminal.
std::string_view RuleMeaning(Rule r);

// Parameters of every rule (docs/spc.md §5, §6). Defaults are the docs/spc.md defaults: R1–R8 on,
// EWMA and CUSUM off. Window lengths are bounded by kMaxWindow so that streaming state stays
// fixed-size.
struct RuleConfig {
  static constexpr int kMaxWindow = 64;

  RuleMask enabled = 0x00FF;  // R1..R8
  double r1_sigma = 3.0;      // R1: beyond this many σ̂; also the k of UCL/LCL (docs/spc.md §4)
  int r2_run = 9;             // R2: points on one side of the center
  int r3_run = 6;             // R3: points strictly increasing or decreasing
  int r4_run = 14;            // R4: points alternating up and down
  int r5_count = 2, r5_window = 3;  // R5: count of window beyond 2σ̂, same side
  int r6_count = 4, r6_window = 5;  // R6: count of window beyond 1σ̂, same side
  int r7_run = 15;                  // R7: points within 1σ̂
  int r8_run = 8;                   // R8: points beyond 1σ̂, either side
  double ewma_lambda = 0.2, ewma_l = 3.0;
  double cusum_k = 0.5, cusum_h = 5.0;

  bool enabled_rule(Rule r) const { return Has(enabled, r); }
  friend bool operator==(const RuleConfig&, const RuleConfig&) = default;
};

// max(0, x) for CUSUM (docs/spc.md §6); inline, where std::fmax is a library call.
constexpr double PositivePart(double x) {
  return x > 0 ? x : 0.0;
}

// Checks ranges (runs ≥ 2 and ≤ kMaxWindow, 1 ≤ count ≤ window, λ in (0, 1], positive σ
// multiples). Error code "invalid_rule_config".
Status Validate(const RuleConfig& config);

// Parses a rule list such as "R1,R2=12,R5=3/4,EWMA,CUSUM": the named rules are enabled, all
// others disabled; "=K" sets a rule's K (R1: σ multiple; R2, R3, R4, R7, R8: run length;
// R5, R6: "count/window"; EWMA: λ; CUSUM: h). Parameters not named keep `base`'s values.
// Only chart rules: an alarm detector's name is "unknown_rule" here.
// Errors: "unknown_rule", "invalid_rule_config".
Result<RuleConfig> ParseRuleList(std::string_view list, RuleConfig base = {});

// The rule list ParseRuleList reads back as `config`: the enabled rules in order, each with
// "=K" where its K differs from the docs/spc.md default (e.g. "R1,R2=12,R5,EWMA").
std::string FormatRuleList(const RuleConfig& config);

}  // namespace llmscope::spc

// Builds a SQL WHERE clause from the filters a query sets, for the stores' dynamic queries: the
// text depends only on which filters are set, so each shape is prepared once and every value
// stays a bound parameter.
#pragma once

#include <string>
#include <string_view>

namespace llmscope::store {

// Appends " WHERE cond" for the first condition, " AND cond" for the next ones.
class SqlConditions {
 public:
  explicit SqlConditions(std::string& sql) : sql_(sql) {}
  void Add(std::string_view condition) {
    sql_ += first_ ? " WHERE " : " AND ";
    sql_ += condition;
    first_ = false;
  }

 private:
  std::string& sql_;
  bool first_ = true;
};

// A violations column list with its context_json column replaced by `context_expression`
// (e.g. "'' AS context_json" when a list needs none of it).
inline std::string ViolationColumnList(std::string_view columns,
                                       std::string_view context_expression) {
  std::string out(columns);
  const size_t at = out.find("context_json");
  if (at != std::string::npos) out.replace(at, 12, context_expression);
  return out;
}

// "rule IN (?, ?, …)" with `count` placeholders; "0 = 1" (nothing) when count is 0.
inline std::string RuleListCondition(size_t count) {
  if (count == 0) return "0 = 1";
  std::string c = "rule IN (?";
  for (size_t i = 1; i < count; ++i) c += ", ?";
  return c + ")";
}

}  // namespace llmscope::store

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

// A violations column list with context_json replaced by an empty text when `with_context` is
// false: a list of violations reads a few hundred bytes a row instead of several kB.
inline std::string ViolationColumnList(std::string_view columns, bool with_context) {
  std::string out(columns);
  if (!with_context) {
    const size_t at = out.find("context_json");
    if (at != std::string::npos) out.replace(at, 12, "'' AS context_json");
  }
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

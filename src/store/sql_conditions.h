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

// "rule IN (?, ?, …)" with `count` placeholders; "0 = 1" (nothing) when count is 0.
inline std::string RuleListCondition(size_t count) {
  if (count == 0) return "0 = 1";
  std::string c = "rule IN (?";
  for (size_t i = 1; i < count; ++i) c += ", ?";
  return c + ")";
}

}  // namespace llmscope::store

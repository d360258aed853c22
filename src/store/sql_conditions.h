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

}  // namespace llmscope::store

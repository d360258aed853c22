// Builds a SQL WHERE clause from the filters a query sets, for the stores' dynamic queries: the
// text depends only on which filters are set, so each shape is prepared once and every value
// stays a bound parameter.
#pragma once

#include <string>
#include <string_view>

#include "store/store.h"

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

// A violations column list whose context_json column reads as ViolationQuery::Context asks:
// itself, `telemetry_expression` (the dialect's SQL for {"telemetry": …} of it, "AS
// context_json"), or an empty text.
inline std::string ViolationColumnList(std::string_view columns, ViolationQuery::Context context,
                                       std::string_view telemetry_expression) {
  std::string out(columns);
  const size_t at = out.find("context_json");
  if (at == std::string::npos) return out;
  if (context == ViolationQuery::Context::kNone) out.replace(at, 12, "'' AS context_json");
  if (context == ViolationQuery::Context::kTelemetry) out.replace(at, 12, telemetry_expression);
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

// Writes an Analysis as `llmscope analyze` prints it: a table for a person at a terminal, CSV
// (one row per firing) or JSON lines for scripts.
//
// JSON lines, one object each, in this order: {"type":"stage",...}, {"type":"summary",...},
// {"type":"capability",...} (when spec limits were given), one {"type":"event",...} per event,
// and one {"type":"firing","index","rule","value","sigma","phase","stage"} per firing. Numbers
// that are not finite (the deviation on a degenerate stage) are written as null.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "app/analysis.h"

namespace llmscope::app {

enum class ReportFormat { kTable, kCsv, kJson };

std::optional<ReportFormat> ParseReportFormat(std::string_view name);

struct ReportHeading {
  std::string source;  // the file
  std::string series;  // the column or field read
};

void WriteReport(const Analysis& analysis, const ReportHeading& heading, ReportFormat format,
                 std::ostream& out);

}  // namespace llmscope::app

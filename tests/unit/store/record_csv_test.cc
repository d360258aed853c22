// The violations CSV (store/record_csv.h): each row ends with the host telemetry at the
// violation's first point, read from its context; without a context those fields are empty.
#include "store/record_csv.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace llmscope::store {
namespace {

// The last five fields of the one row written for a violation with `context_json`.
std::string TelemetryColumns(const std::string& context_json) {
  ViolationRecord v;
  v.series = SeriesKey{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  v.status_by = "tester";
  v.context_json = context_json;
  std::ostringstream out;
  WriteViolationCsvRows(out, {v});
  const std::string row = out.str();
  const size_t at = row.find(",tester,");
  return at == std::string::npos ? "(no status_by in " + row + ")" : row.substr(at + 8);
}

TEST(ViolationCsv, TheHeaderEndsWithTheTelemetryColumns) {
  const std::string header = kViolationsCsvHeader;
  EXPECT_EQ(header.substr(header.find(",status_by,")),
            ",status_by,cpu_percent,memory_percent,gpu_percent,gpu_memory_percent,gpu_temp_c\n");
}

TEST(ViolationCsv, RowsCarryTheTelemetryOfTheContext) {
  EXPECT_EQ(TelemetryColumns(R"({"points":[],"telemetry":{"cpu_percent":95.5,)"
                             R"("memory_percent":61.25,"gpu_percent":99,"gpu_memory_percent":null,)"
                             R"("gpu_temp_c":70.5}})"),
            "95.5,61.25,99,,70.5\n");
  EXPECT_EQ(TelemetryColumns(R"({"points":[],"telemetry":null})"), ",,,,\n");
  EXPECT_EQ(TelemetryColumns(""), ",,,,\n");  // read without its context
  EXPECT_EQ(TelemetryColumns("{not json"), ",,,,\n");
  EXPECT_EQ(TelemetryColumns(R"({"telemetry":{"cpu_percent":"high"}})"), ",,,,\n");
}

}  // namespace
}  // namespace llmscope::store

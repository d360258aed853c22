// ContextJson (monitor/series_tracker.h): the exact text of a violation's stored context. A
// replay compares a recomputed context with the stored one (an unchanged event is not rewritten),
// so the text must not change between versions: whole doubles keep their ".0", doubles are the
// shortest that read back, an absent telemetry value is null.
#include <gtest/gtest.h>

#include <limits>

#include "monitor/series_tracker.h"

namespace llmscope::monitor {
namespace {

TEST(ContextJson, WritesPointsAndTheTelemetryOfTheAnchorPoint) {
  TrackedViolation v;
  ChartPoint a;
  a.index = 139;
  a.sample_id = 140;
  a.time_ms = 1795446245000;
  a.value = 2000;
  a.telemetry.cpu_percent = 35.2;
  a.telemetry.gpu_temp_c = 61;
  ChartPoint b;
  b.index = 140;
  b.sample_id = 9007199254740993;
  b.time_ms = -5;
  b.value = 0.1 + 0.2;
  b.telemetry.memory_percent = 1e-7;
  b.telemetry.gpu_percent = 1.5e300;
  b.telemetry.gpu_memory_percent = std::numeric_limits<double>::quiet_NaN();
  v.context = {a, b};
  v.telemetry_index = 140;
  EXPECT_EQ(ContextJson(v),
            R"({"points":[)"
            R"({"index":139,"sample_id":140,"time_ms":1795446245000,"value":2000.0,"telemetry":)"
            R"({"cpu_percent":35.2,"memory_percent":null,"gpu_percent":null,)"
            R"("gpu_memory_percent":null,"gpu_temp_c":61.0}},)"
            R"({"index":140,"sample_id":9007199254740993,"time_ms":-5,)"
            R"("value":0.30000000000000004,"telemetry":)"
            R"({"cpu_percent":null,"memory_percent":1e-07,"gpu_percent":1.5e+300,)"
            R"("gpu_memory_percent":null,"gpu_temp_c":null}}],)"
            R"("telemetry":{"cpu_percent":null,"memory_percent":1e-07,"gpu_percent":1.5e+300,)"
            R"("gpu_memory_percent":null,"gpu_temp_c":null}})");
  v.telemetry_index = 7;  // no point of the context
  v.context = {a};
  EXPECT_EQ(ContextJson(v).substr(ContextJson(v).find("}}],")), R"(}}],"telemetry":null})");
  v.context.clear();
  EXPECT_EQ(ContextJson(v), R"({"points":[],"telemetry":null})");
}

}  // namespace
}  // namespace llmscope::monitor

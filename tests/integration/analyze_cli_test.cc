// `llmscope analyze` end to end: the built binary on the example series of examples/ (whose
// known events are in examples/events.json), in each output format, and on each kind of bad
// input, which must give a one-line error, a documented exit code and no partial output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/json_lines.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using llmscope::testing::CommandResult;
using llmscope::testing::JsonLines;
using llmscope::testing::RunCommand;
using llmscope::testing::TempDir;
using nlohmann::json;

const std::string kExamples = LLMSCOPE_EXAMPLES_DIR;

CommandResult Analyze(std::vector<std::string> args) {
  args.insert(args.begin(), {LLMSCOPE_BINARY, "analyze"});
  return RunCommand(args);
}

std::vector<json> OfType(const std::vector<json>& lines, const std::string& type) {
  std::vector<json> out;
  for (const json& j : lines) {
    if (j["type"] == type) out.push_back(j);
  }
  return out;
}

// Monitoring-phase firings of `rule` (all rules when empty), by index.
std::vector<int> MonitoringIndices(const std::vector<json>& lines, const std::string& rule) {
  std::vector<int> out;
  for (const json& f : OfType(lines, "firing")) {
    if (f["phase"] == "monitoring" && (rule.empty() || f["rule"] == rule)) {
      out.push_back(f["index"].get<int>());
    }
  }
  return out;
}

std::vector<json> AnalyzeJson(const std::string& file, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {kExamples + "/" + file, "--baseline", "200", "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = Analyze(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  return JsonLines(r.out);
}

TEST(AnalyzeExamples, InControlSeriesRaisesNoSpike) {
  std::vector<json> lines = AnalyzeJson("ollama_llama3_incontrol.csv");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0]["type"], "stage");
  EXPECT_EQ(lines[0]["baseline_size"], 200);
  EXPECT_TRUE(MonitoringIndices(lines, "R1").empty());
  EXPECT_TRUE(MonitoringIndices(lines, "R2").empty());
  int monitoring_events = 0;
  for (const json& e : OfType(lines, "event")) monitoring_events += e["phase"] == "monitoring";
  EXPECT_LE(monitoring_events, 3);  // a few false alarms are the price of SPC
}

TEST(AnalyzeExamples, ShiftFromPoint250IsFoundAtOnceAndNotBefore) {
  std::vector<json> lines = AnalyzeJson("ollama_llama3_shift.csv");
  std::vector<int> r2 = MonitoringIndices(lines, "R2");
  ASSERT_FALSE(r2.empty());
  EXPECT_GE(r2.front(), 250);  // R2 needs 9 points above; a few before 250 may be among them
  EXPECT_LE(r2.front(), 270);
  std::vector<int> any = MonitoringIndices(lines, "");
  ASSERT_FALSE(any.empty());
  EXPECT_GE(any.front(), 250);
  EXPECT_LE(any.front(), 255);
}

TEST(AnalyzeExamples, DriftFromPoint200IsFound) {
  std::vector<json> lines = AnalyzeJson("openai_gpt4o_drift.csv");
  std::vector<int> any = MonitoringIndices(lines, "");
  ASSERT_FALSE(any.empty());
  EXPECT_GE(any.front(), 200);
  EXPECT_LE(any.front(), 260);
  EXPECT_FALSE(MonitoringIndices(lines, "R2").empty());
}

TEST(AnalyzeExamples, SpikesAreFlaggedByR1ExactlyWhereTheyAre) {
  std::vector<json> lines = AnalyzeJson("claude_cognitive_load.csv");
  std::vector<int> expected = {260, 261, 262, 263, 264, 265, 330};
  EXPECT_EQ(MonitoringIndices(lines, "R1"), expected);
  // One event for the run of six, one for the lone spike.
  int r1_events = 0;
  for (const json& e : OfType(lines, "event")) {
    if (e["rule"] == "R1" && e["phase"] == "monitoring") {
      ++r1_events;
      EXPECT_TRUE((e["first_index"] == 260 && e["last_index"] == 265 && e["count"] == 6) ||
                  (e["first_index"] == 330 && e["count"] == 1))
          << e.dump();
    }
  }
  EXPECT_EQ(r1_events, 2);
}

TEST(AnalyzeExamples, VarianceDropIsFoundByR7) {
  std::vector<json> lines = AnalyzeJson("vllm_qwen_variance_drop.csv");
  std::vector<int> r7 = MonitoringIndices(lines, "R7");
  ASSERT_FALSE(r7.empty());
  EXPECT_GE(r7.front(), 220);
  EXPECT_LE(r7.front(), 240);
}

TEST(AnalyzeOutput, JsonLinesCarryEveryFiringWithTheDocumentedFields) {
  std::vector<json> lines =
      AnalyzeJson("claude_cognitive_load.csv", {std::string("--usl"), "5000"});
  ASSERT_EQ(OfType(lines, "stage").size(), 1u);
  ASSERT_EQ(OfType(lines, "summary").size(), 1u);
  ASSERT_EQ(OfType(lines, "capability").size(), 1u);
  const json stage = OfType(lines, "stage")[0];
  EXPECT_EQ(stage["transform"], "log");
  // Limits in the original unit are asymmetric around the center under `log`.
  double cl = stage["limits"]["cl"], ucl = stage["limits"]["ucl"], lcl = stage["limits"]["lcl"];
  EXPECT_GT(ucl - cl, cl - lcl);
  const json cap = OfType(lines, "capability")[0];
  EXPECT_TRUE(cap["cp"].is_null());  // one-sided spec
  EXPECT_TRUE(cap["cpk"].is_number());
  EXPECT_DOUBLE_EQ(cap["share_beyond_spec"].get<double>(), 1.0 / 400);  // the 9 s answer
  std::vector<json> firings = OfType(lines, "firing");
  ASSERT_FALSE(firings.empty());
  for (const json& f : firings) {
    EXPECT_TRUE(f["index"].is_number_integer());
    EXPECT_TRUE(f["rule"].is_string());
    EXPECT_TRUE(f["value"].is_number());
    EXPECT_TRUE(f["sigma"].is_number());
  }
  EXPECT_EQ(OfType(lines, "summary")[0]["firings"], firings.size());
}

TEST(AnalyzeOutput, CsvHasOneRowPerFiring) {
  std::string file = kExamples + "/openai_gpt4o_drift.csv";
  CommandResult csv = Analyze({file, "--baseline", "200", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<json> lines = AnalyzeJson("openai_gpt4o_drift.csv");
  std::istringstream in(csv.out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "index,rule,value,sigma,phase,stage");
  size_t rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, OfType(lines, "firing").size());
}

TEST(AnalyzeOutput, TableIsReadable) {
  CommandResult r = Analyze({kExamples + "/ollama_llama3_shift.csv", "--baseline", "200"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"Stage 0", "UCL", "LCL", "CL", "Summary", "p95", "Violation events",
                           "R2", "sustained shift"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part;
  }
}

TEST(AnalyzeOutput, FailOnViolationExitsOneOnlyForMonitoringFirings) {
  CommandResult shift = Analyze({kExamples + "/ollama_llama3_shift.csv", "--baseline", "200",
                                 "--rules", "R2", "--fail-on-violation"});
  EXPECT_EQ(shift.exit_code, 1);
  CommandResult calm = Analyze({kExamples + "/ollama_llama3_incontrol.csv", "--baseline", "200",
                                "--rules", "R1", "--fail-on-violation"});
  EXPECT_EQ(calm.exit_code, 0);
}

TEST(AnalyzeInput, JsonLinesAndHeaderlessCsvGiveTheSameFiringsAsTheCsv) {
  TempDir dir;
  std::ifstream in(kExamples + "/ollama_llama3_shift.csv");
  std::string line, jsonl, bare;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::string value = line.substr(line.rfind(',') + 1);
    jsonl += "{\"provider\": \"ollama\", \"latency_ms\": " + value + "}\n";
    bare += value + "\n";
  }
  std::string base = kExamples + "/ollama_llama3_shift.csv";
  CommandResult from_csv = Analyze({base, "--baseline", "200", "--format", "csv"});
  CommandResult from_jsonl =
      Analyze({dir.Write("s.jsonl", jsonl), "--baseline", "200", "--format", "csv"});
  CommandResult from_bare =
      Analyze({dir.Write("s.csv", bare), "--baseline", "200", "--format", "csv"});
  CommandResult by_index = Analyze({base, "--column", "4", "--baseline", "200", "--format", "csv"});
  ASSERT_EQ(from_csv.exit_code, 0);
  EXPECT_EQ(from_jsonl.out, from_csv.out) << from_jsonl.err;
  EXPECT_EQ(from_bare.out, from_csv.out) << from_bare.err;
  EXPECT_EQ(by_index.out, from_csv.out) << by_index.err;
}

struct BadInput {
  std::string name;
  std::string content;  // written to a temp file; empty: use `args` as they are
  std::vector<std::string> args;
  int exit_code;
  std::string message_part;
};

TEST(AnalyzeBadInput, EachGivesOneLineAndItsExitCodeAndNoOutput) {
  TempDir dir;
  std::string values;
  for (int i = 0; i < 30; ++i) values += std::to_string(100 + i % 7) + "\n";
  const std::string shift = kExamples + "/ollama_llama3_shift.csv";
  std::vector<BadInput> cases = {
      {"missing file", "", {"/nonexistent/llmscope.csv"}, 3, "cannot open"},
      {"directory", "", {"/tmp"}, 3, "directory"},
      {"non-numeric cell", "latency_ms\n1\n2\nfast\n", {}, 4, "line 4: column 1 (latency_ms)"},
      {"short row", "a,b\n1,2\n3\n", {"--column", "b"}, 4, "line 3"},
      {"nan cell", "v\n1\nnan\n", {}, 4, "line 3"},
      {"too few points", values, {"--baseline", "50"}, 5, "needs 50 points"},
      {"non-positive under log", values + "0\n", {"--baseline", "20"}, 4, "log transform"},
      {"negative under log", values + "-3\n", {"--baseline", "20"}, 4, "point 30"},
      {"unknown rule", "", {shift, "--rules", "R1,R9"}, 2, "unknown rule 'R9'"},
      {"bad rule K", "", {shift, "--rules", "R5=4/3"}, 2, "R5"},
      {"unknown transform", "", {shift, "--transform", "sqrt"}, 2, "unknown transform"},
      {"unknown sigma", "", {shift, "--sigma", "range"}, 2, "unknown sigma"},
      {"small baseline", "", {shift, "--baseline", "5"}, 2, "at least 20"},
      {"unknown option", "", {shift, "--frobnicate"}, 2, "frobnicate"},
      {"unknown column", "", {shift, "--column", "ttft"}, 4, "no column named 'ttft'"},
      {"bad json line", "{\"v\": 1}\n{\"v\": \n", {}, 4, "line 2"},
      {"json string value", "{\"v\": 1}\n{\"v\": \"2\"}\n", {"--field", "v"}, 4, "line 2"},
      {"empty file", "\n\n", {}, 4, "empty"},
      {"lsl above usl", "", {shift, "--usl", "10", "--lsl", "20"}, 2, "LSL"},
  };
  for (const BadInput& c : cases) {
    std::vector<std::string> args = c.args;
    if (!c.content.empty() || c.name == "empty file") {
      args.insert(args.begin(), dir.Write("in.txt", c.content));
    }
    CommandResult r = Analyze(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.name << ": " << r.err;
    EXPECT_EQ(r.out, "") << c.name;
    EXPECT_NE(r.err.find(c.message_part), std::string::npos) << c.name << ": " << r.err;
    ASSERT_FALSE(r.err.empty()) << c.name;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << c.name << ": not one line: " << r.err;
  }
}

}  // namespace

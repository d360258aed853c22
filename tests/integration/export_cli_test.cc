// `llmscope export` end to end: the built binary on a real SQLite file written through the
// Store; CSV and JSON lines, filters, paging past one page, and bad arguments.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "store/sqlite/sqlite_store.h"
#include "support/json_lines.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using llmscope::Metric;
using llmscope::Sample;
using llmscope::SeriesKey;
using llmscope::SourceKey;
using llmscope::testing::CommandResult;
using llmscope::testing::JsonLines;
using llmscope::testing::RunCommand;
using llmscope::testing::TempDir;
using nlohmann::json;
namespace store = llmscope::store;

constexpr int64_t kT0 = 1'790'000'000'000;  // 2026-09-21T...Z

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class ExportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite://" + dir_.path() + "/llmscope.db";
    auto opened = store::SqliteStore::Open(dir_.path() + "/llmscope.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    std::unique_ptr<store::SqliteStore> s = std::move(*opened);
    // More samples than one export page, of two sources; one name needs CSV quoting.
    std::vector<Sample> samples;
    for (int i = 0; i < 10'050; ++i) {
      Sample x;
      x.time_ms = kT0 + i * 1000;
      x.source = i % 2 == 0 ? SourceKey{"ollama", "llama3", "", ""}
                            : SourceKey{"openai", "gpt, \"4o\"", "lab", ""};
      x.e2e_ms = 100 + i % 7;
      x.prompt_hash = "h";
      if (i == 3) {
        x.error = true;
        x.error_kind = "http_5xx";
        x.error_message = "bad gateway,\nretry";
        x.e2e_ms.reset();
      }
      samples.push_back(x);
    }
    ASSERT_TRUE(s->AppendSamples(samples).ok());
    for (store::ViolationStatus status :
         {store::ViolationStatus::kOpen, store::ViolationStatus::kResolved}) {
      store::ViolationRecord v;
      v.series = SeriesKey{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
      v.first_time_ms = v.last_time_ms = kT0 + 5000;
      v.first_index = v.last_index = 5;
      v.count = 1;
      v.value = v.worst_value = 250.5;
      v.deviation = 3.5;
      v.limits.center = 100;
      v.limits.ucl = 150;
      v.limits.lcl = 50;
      v.context_json =
          R"({"points":[],"telemetry":{"cpu_percent":91.5,"memory_percent":40,"gpu_percent":null,)"
          R"("gpu_memory_percent":12.25,"gpu_temp_c":71}})";
      v.status = status;
      ASSERT_TRUE(s->InsertViolation(v).ok());
    }
  }

  CommandResult Export(std::vector<std::string> args) {
    args.insert(args.begin(), {LLMSCOPE_BINARY, "export"});
    args.push_back("--store");
    args.push_back(url_);
    return RunCommand(args);
  }

  TempDir dir_;
  std::string url_;
};

TEST_F(ExportCliTest, SamplesAsCsvPageThroughEveryRowWithQuoting) {
  CommandResult r = Export({"samples"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].rfind("id,time,provider,model,site,profile,e2e_ms,", 0), 0u);
  // 10,050 rows, one of them spread over two lines by the quoted line break.
  EXPECT_EQ(lines.size(), 1u + 10'050u + 1u);
  EXPECT_EQ(lines[1].rfind("1," + llmscope::FormatIsoUtc(kT0) + ",ollama,llama3,,,100,", 0), 0u)
      << lines[1];
  EXPECT_EQ(lines[2].rfind("2,", 0), 0u);
  EXPECT_NE(lines[2].find(",openai,\"gpt, \"\"4o\"\"\",lab,,"), std::string::npos) << lines[2];
  EXPECT_NE(r.out.find(",1,http_5xx,\"bad gateway,\nretry\","), std::string::npos);
  EXPECT_EQ(lines.back().rfind("10050,", 0), 0u);
}

TEST_F(ExportCliTest, SamplesAsJsonLinesWithFilters) {
  CommandResult r =
      Export({"samples", "--format", "json", "--provider", "openai", "--since",
              llmscope::FormatIsoUtc(kT0 + 1000), "--until", llmscope::FormatIsoUtc(kT0 + 11'000)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> rows = JsonLines(r.out);
  ASSERT_EQ(rows.size(), 5u);  // i = 1, 3, 5, 7, 9
  for (const json& row : rows) EXPECT_EQ(row["provider"], "openai") << row.dump();
  EXPECT_EQ(rows[0]["model"], "gpt, \"4o\"");
}

TEST_F(ExportCliTest, ViolationsAsCsvAndByStatusToAFile) {
  CommandResult all = Export({"violations"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  std::vector<std::string> lines = Lines(all.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("id,provider,model,site,profile,metric,rule,", 0), 0u);
  EXPECT_EQ(
      lines[0].substr(lines[0].find(",status,")),
      ",status,status_by,cpu_percent,memory_percent,gpu_percent,gpu_memory_percent,gpu_temp_c");
  EXPECT_NE(lines[1].find(",250.5,250.5,3.5,100,150,50,resolved,"), std::string::npos) << lines[1];
  // The telemetry at the violation's first point, from its context; null is an empty field.
  EXPECT_EQ(lines[1].substr(lines[1].size() - std::string(",91.5,40,,12.25,71").size()),
            ",91.5,40,,12.25,71")
      << lines[1];

  const std::string path = dir_.path() + "/open.jsonl";
  CommandResult open = Export({"violations", "--status", "open", "--format", "json", "-o", path});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(open.out, "");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<json> rows = JsonLines(text.str());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["status"], "open");
}

TEST_F(ExportCliTest, BadArgumentsSayWhyWithTheirExitCodes) {
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"samples", "--status", "open"}, 2, "violations only"},
      {{"violations", "--status", "closed"}, 2, "not open, acknowledged or resolved"},
      {{"samples", "--since", "yesterday"}, 2, "not an ISO 8601 time"},
      {{"samples", "--format", "xml"}, 2, "format"},
      {{"samples", "-o", "/nonexistent-dir/x.csv"}, 3, "cannot write"},
  };
  for (const Case& c : cases) {
    CommandResult r = Export(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[0] << ' ' << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  CommandResult bad_store =
      RunCommand({LLMSCOPE_BINARY, "export", "samples", "--store", "mysql://x"});
  EXPECT_EQ(bad_store.exit_code, 6) << bad_store.err;
  EXPECT_NE(bad_store.err.find("mysql://x"), std::string::npos) << bad_store.err;
}

}  // namespace

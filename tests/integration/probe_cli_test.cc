// `llmscope probe` end to end: the built binary on simulated targets, printing JSON lines and
// summaries, reading [[targets]] from a config, refusing bad specs and configs with a one-line
// error and exit code 2, and pushing to a real `llmscope serve` on 127.0.0.1; and serve's
// built-in probe of the simulated provider when no target is configured.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/server_process.h"
#include "support/json_lines.h"
#include "support/subprocess.h"

namespace {

using llmscope::testing::CommandResult;
using llmscope::testing::JsonLines;
using llmscope::testing::RunCommand;
using llmscope::testing::ServerOptions;
using llmscope::testing::ServerProcess;
using nlohmann::json;

CommandResult Probe(std::vector<std::string> args) {
  args.insert(args.begin(), {LLMSCOPE_BINARY, "probe"});
  return RunCommand(args);
}

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// A config file in a fresh temporary directory, removed with the test.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    char tmpl[] = "/tmp/llmscope-probe-cli-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/llmscope.toml";
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

TEST(ProbeCli, PrintsSamplesThenASummary) {
  const CommandResult r = Probe({"--target", "provider=simulated,model=m", "--count", "5",
                                 "--interval", "0", "--stdout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  for (int i = 0; i < 5; ++i) {
    const json& s = lines[i];
    EXPECT_EQ(s["provider"], "simulated");
    EXPECT_EQ(s["model"], "m");
    EXPECT_EQ(s["profile"], "short");
    EXPECT_EQ(s["error"], false);
    EXPECT_GT(s["e2e_ms"].get<double>(), 0);
    EXPECT_LT(s["ttft_ms"].get<double>(), s["e2e_ms"].get<double>());
    EXPECT_TRUE(s["time_ms"].is_number_integer());
    EXPECT_TRUE(s["memory_percent"].is_number());
    EXPECT_EQ(s["prompt_hash"].get<std::string>().size(), 16u);
  }
  const json& summary = lines[5]["summary"];
  EXPECT_EQ(summary["count"], 5);
  EXPECT_EQ(summary["errors"], 0);
  EXPECT_GT(summary["e2e_ms"]["p95"].get<double>(), 0);
  EXPECT_GE(summary["e2e_ms"]["p95"].get<double>(), summary["e2e_ms"]["p50"].get<double>());
  EXPECT_GT(summary["ttft_ms"]["p50"].get<double>(), 0);
  EXPECT_NE(r.err.find("5 call(s), 0 error(s)"), std::string::npos) << r.err;
}

TEST(ProbeCli, SeveralTargetsAndErrorSamples) {
  const CommandResult r =
      Probe({"--target", "provider=simulated,model=a,median_e2e_ms=5,error_rate=1",
             "--target", "provider=simulated,model=b,median_e2e_ms=5,stream=false,site=lab",
             "--count", "3", "--interval", "0.01", "--stdout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 8u) << r.out;
  int a = 0, b = 0;
  for (int i = 0; i < 6; ++i) {
    const json& s = lines[i];
    if (s["model"] == "a") {
      ++a;
      EXPECT_EQ(s["error"], true);
      EXPECT_EQ(s["error_kind"], "http_5xx");
    } else {
      ++b;
      EXPECT_EQ(s["site"], "lab");
      EXPECT_TRUE(s["ttft_ms"].is_null());
    }
  }
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, 3);
  for (int i = 6; i < 8; ++i) {
    const json& summary = lines[i]["summary"];
    EXPECT_EQ(summary["count"], 3);
    EXPECT_EQ(summary["errors"], summary["model"] == "a" ? 3 : 0);
  }
}

TEST(ProbeCli, TargetsFromConfig) {
  ConfigFile config(R"([[targets]]
name = "sim"
provider = "simulated"
model = "cfg-model"
median_e2e_ms = 5
sigma_log = 0.1
interval_s = 0
profiles = [{ name = "tiny", prompt = "Say hi.", max_tokens = 8 }]
)");
  const CommandResult r = Probe({"--config", config.path(), "--count", "2", "--stdout"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0]["model"], "cfg-model");
  EXPECT_EQ(lines[0]["profile"], "tiny");
  EXPECT_EQ(lines[0]["tokens_out"], 8);
}

// Every real provider class is wired in; a target nobody listens on gives error samples of kind
// "refused", and the probe goes on to the next call.
TEST(ProbeCli, UnreachableProvidersGiveErrorSamples) {
  const std::string url = "http://127.0.0.1:" + std::to_string(llmscope::testing::PickFreePort());
  std::vector<std::string> args;
  for (const char* provider : {"ollama", "openai", "openai-compatible", "anthropic"}) {
    args.insert(args.end(), {"--target", std::string("provider=") + provider + ",model=m," +
                                             "base_url=" + url + ",timeout=5"});
  }
  args.insert(args.end(), {"--count", "2", "--interval", "0", "--stdout"});
  const CommandResult r = Probe(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 12u) << r.out;
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(lines[i]["error"], true) << lines[i];
    EXPECT_EQ(lines[i]["error_kind"], "refused") << lines[i];
  }
  for (int i = 8; i < 12; ++i) EXPECT_EQ(lines[i]["summary"]["errors"], 2) << lines[i];
}

TEST(ProbeCli, BadConfigTargetNamesIndexAndKey) {
  ConfigFile unknown_key(R"([[targets]]
provider = "simulated"
model = "m"

[[targets]]
provider = "simulated"
model = "m"
intervall_s = 3
)");
  CommandResult r = Probe({"--config", unknown_key.path(), "--count", "1", "--stdout"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("targets[1].intervall_s: unknown key"), std::string::npos) << r.err;
  EXPECT_EQ(Lines(r.err), 1) << r.err;

  ConfigFile bad_provider(R"([[targets]]
provider = "gemini"
model = "m"
)");
  r = Probe({"--config", bad_provider.path(), "--count", "1", "--stdout"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("targets[0].provider: 'gemini'"), std::string::npos) << r.err;

  ConfigFile bad_type(R"([[targets]]
provider = "simulated"
model = "m"
timeout_s = "soon"
)");
  r = Probe({"--config", bad_type.path(), "--count", "1", "--stdout"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("targets[0].timeout_s: must be a number"), std::string::npos) << r.err;
}

TEST(ProbeCli, BadTargetSpecIsAUsageError) {
  for (const char* spec :
       {"provider=simulated,model=m,colour=blue", "provider=simulated", "model=m",
        "provider=openai-compatible,model=m", "provider=simulated,model=m,interval=-1",
        "provider=simulated,model=m,stream=maybe", "provider=simulated,model=m,profile=huge",
        "garbage"}) {
    const CommandResult r = Probe({"--target", spec, "--count", "1", "--stdout"});
    EXPECT_EQ(r.exit_code, 2) << spec;
    EXPECT_EQ(Lines(r.err), 1) << spec << ": " << r.err;
    EXPECT_NE(r.err.find("llmscope probe: --target"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << spec;
  }
}

TEST(ProbeCli, NothingToDoIsAUsageError) {
  CommandResult r = Probe({"--target", "provider=simulated,model=m", "--count", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--stdout or --push"), std::string::npos) << r.err;
  r = Probe({"--count", "1", "--stdout"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no target"), std::string::npos) << r.err;
}

// The models of the series the server charts.
std::vector<std::string> SeriesModels(const ServerProcess& server) {
  std::vector<std::string> models;
  const llmscope::testing::Reply reply = server.Call("GET", "/api/series");
  if (reply.status != 200) {
    ADD_FAILURE() << "GET /api/series: " << reply.status << " " << reply.transport_error << " "
                  << reply.body;
    return models;
  }
  const json body = json::parse(reply.body);
  for (const json& s : body["series"]) models.push_back(s["model"].get<std::string>());
  return models;
}

bool HasModel(const std::vector<std::string>& models, const std::string& model) {
  return std::find(models.begin(), models.end(), model) != models.end();
}

TEST(ProbeCli, PushesToAServer) {
  ServerOptions options;
  options.binary = LLMSCOPE_BINARY;
  // ServerProcess passes --no-simulated by default.
  ServerProcess server(options);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_NE(server.Stderr().find("--no-simulated"), std::string::npos) << server.Stderr();
  char tmpl[] = "/tmp/llmscope-probe-spool-XXXXXX";
  const std::string spool = mkdtemp(tmpl);
  const CommandResult r =
      Probe({"--target", "provider=simulated,model=pushed,median_e2e_ms=5", "--count", "3",
             "--interval", "0", "--push", "http://127.0.0.1:" + std::to_string(server.port()),
             "--key", server.api_key(), "--spool-dir", spool});
  std::filesystem::remove_all(spool);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("pushed 3, 0 waiting"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  const std::vector<std::string> models = SeriesModels(server);
  EXPECT_TRUE(HasModel(models, "pushed"));
  EXPECT_FALSE(HasModel(models, "sim-llm"));  // --no-simulated
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ServeBuiltInProbe, SimulatedTargetWhenNoneConfigured) {
  ServerOptions options;
  options.binary = LLMSCOPE_BINARY;
  options.simulated_probe = true;
  options.extra_args = {"--demo=false"};  // the live probe alone (demo_day_test.cc: the demo day)
  ServerProcess server(options);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_NE(server.Stderr().find("probing the simulated provider"), std::string::npos)
      << server.Stderr();
  // The first call starts within 0.2 s and takes about 1.2 s.
  bool charted = false;
  for (int i = 0; i < 100 && !charted; ++i) {
    charted = HasModel(SeriesModels(server), "sim-llm");
    if (!charted) usleep(100 * 1000);
  }
  EXPECT_TRUE(charted);
  EXPECT_EQ(server.Stop(), 0);  // the probe stops first, then the server
}

TEST(ServeBuiltInProbe, ConfiguredTargetsReplaceTheSimulatedOne) {
  ConfigFile config(R"([[targets]]
provider = "simulated"
model = "configured"
median_e2e_ms = 5
interval_s = 0.05
)");
  ServerOptions options;
  options.binary = LLMSCOPE_BINARY;
  options.extra_args = {"--config", config.path()};
  ServerProcess server(options);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_NE(server.Stderr().find("probing 1 target(s): simulated/configured"), std::string::npos)
      << server.Stderr();
  bool charted = false;
  for (int i = 0; i < 50 && !charted; ++i) {
    charted = HasModel(SeriesModels(server), "configured");
    if (!charted) usleep(100 * 1000);
  }
  EXPECT_TRUE(charted);
  EXPECT_FALSE(HasModel(SeriesModels(server), "sim-llm"));
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace

// The [ingest] section of the config, the prompt-text switch and the store's retention periods: the
// defaults are the documented bounds with prompt text off; the file and LLMSCOPE_INGEST_* set them;
// a bound that is no positive number is refused naming its key. The HTTP engine's threads
// ([server] io_threads, handler_threads) likewise.
#include <gtest/gtest.h>

#include <map>

#include "app/config.h"
#include "support/temp_dir.h"

namespace llmscope::app {
namespace {

using llmscope::testing::TempDir;

Result<Config> Load(const std::string& toml, const std::map<std::string, std::string>& env = {}) {
  TempDir dir("llmscope-config");
  return LoadConfig(dir.Write("c.toml", toml),
                    [&env](const std::string& name) -> std::optional<std::string> {
                      auto it = env.find(name);
                      if (it == env.end()) return std::nullopt;
                      return it->second;
                    });
}

std::string ErrorOf(const std::string& toml, const std::map<std::string, std::string>& env = {}) {
  Result<Config> c = Load(toml, env);
  return c.ok() ? "(no error)" : c.error().message;
}

TEST(IngestConfig, DefaultsAreTheDocumentedBoundsWithPromptTextOff) {
  Result<Config> c = Load("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->store_prompt_text);
  EXPECT_EQ(c->max_latency_ms, 86'400'000);
  EXPECT_EQ(c->max_tokens_per_s, 1e7);
  EXPECT_EQ(c->max_cost_usd, 1e4);
  EXPECT_EQ(c->max_token_count, 1'000'000'000);
}

TEST(ServerThreadsConfig, DefaultsFileEnvironmentAndRange) {
  Result<Config> defaults = Load("");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->io_threads, 0);  // one per core, chosen by serve
  EXPECT_EQ(defaults->handler_threads, 16);
  Result<Config> c = Load("[server]\nio_threads = 3\nhandler_threads = 4\n",
                          {{"LLMSCOPE_SERVER_HANDLER_THREADS", "8"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->io_threads, 3);
  EXPECT_EQ(c->handler_threads, 8);  // the environment over the file
  EXPECT_NE(ErrorOf("[server]\nhandler_threads = 0\n").find("server.handler_threads"),
            std::string::npos);
  EXPECT_NE(ErrorOf("", {{"LLMSCOPE_SERVER_IO_THREADS", "-1"}}).find("server.io_threads"),
            std::string::npos);
}

TEST(IngestConfig, TheFileAndTheEnvironmentSetThem) {
  Result<Config> c = Load(R"(
[server]
store_prompt_text = true

[ingest]
max_latency_ms = 600000
max_tokens_per_s = 5000.5
max_cost_usd = 2
max_token_count = 200000
)",
                          {{"LLMSCOPE_INGEST_MAX_COST_USD", "0.5"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->store_prompt_text);
  EXPECT_EQ(c->max_latency_ms, 600000);
  EXPECT_EQ(c->max_tokens_per_s, 5000.5);
  EXPECT_EQ(c->max_cost_usd, 0.5);  // the environment over the file
  EXPECT_EQ(c->max_token_count, 200000);
}

TEST(IngestConfig, ABoundMustBeAPositiveNumber) {
  EXPECT_NE(ErrorOf("[ingest]\nmax_latency_ms = 0\n").find("ingest.max_latency_ms: must be > 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[ingest]\nmax_cost_usd = -1\n").find("ingest.max_cost_usd: must be > 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[ingest]\nmax_tokens_per_s = \"fast\"\n").find("ingest.max_tokens_per_s"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[ingest]\nmax_token_count = 0\n").find("ingest.max_token_count"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[ingest]\nmax_latency = 5\n").find("unknown key ingest.max_latency"),
            std::string::npos);
  EXPECT_NE(ErrorOf("", {{"LLMSCOPE_INGEST_MAX_LATENCY_MS", "-5"}})
                .find("LLMSCOPE_INGEST_MAX_LATENCY_MS: ingest.max_latency_ms: must be > 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf("", {{"LLMSCOPE_INGEST_MAX_LATENCY_MS", "a day"}}).find("not a number"),
            std::string::npos);
}

TEST(StoreRetentionConfig, RollupsOutliveSamplesByDefaultAndAreSetByFileAndEnvironment) {
  Result<Config> defaults = Load("");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->retention_days, 30);
  EXPECT_EQ(defaults->rollup_minute_days, 30);
  EXPECT_EQ(defaults->rollup_hour_days, 400);
  Result<Config> c = Load("[store]\nretention_days = 7\nrollup_minute_days = 60\n",
                          {{"LLMSCOPE_STORE_ROLLUP_HOUR_DAYS", "730"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->retention_days, 7);
  EXPECT_EQ(c->rollup_minute_days, 60);
  EXPECT_EQ(c->rollup_hour_days, 730);
  EXPECT_NE(ErrorOf("[store]\nrollup_hour_days = 0\n").find("rollup_hour_days"), std::string::npos);
}

}  // namespace
}  // namespace llmscope::app

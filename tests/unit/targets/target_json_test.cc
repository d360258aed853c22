// Targets as JSON (targets/target_json.h) and the providers' model lists
// (targets/provider_models.h ParseModelList): pure, no I/O.
#include <gtest/gtest.h>

#include "targets/provider_models.h"
#include "targets/target_json.h"

namespace llmscope::targets {
namespace {

TEST(TargetJson, AnInputIsCompletedByTheRulesOfTheConfigFile) {
  Result<TargetInput> in = ParseTargetInput(
      R"({"provider":"ollama","model":"llama3","interval_s":5,"key":"k","version":2})");
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->target.name, "ollama/llama3");
  EXPECT_EQ(in->target.base_url, "http://127.0.0.1:11434");
  EXPECT_EQ(in->target.interval_s, 5);
  EXPECT_EQ(in->key, "k");
  EXPECT_EQ(in->version, 2);
}

TEST(TargetJson, EachBadFieldIsNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"provider":"ollama"})", "model:"},
      {R"({"provider":"x","model":"m"})", "provider:"},
      {R"({"provider":"ollama","model":"m","base_url":"file:///etc"})", "base_url:"},
      {R"({"provider":"ollama","model":"m","interval_s":-2})", "interval_s:"},
      {R"({"provider":"ollama","model":"m","timeout_s":"1"})", "timeout_s:"},
      {R"({"provider":"ollama","model":"m","profiles":[{"max_tokens":0}]})",
       "profiles[0].max_tokens:"},
      {R"({"provider":"ollama","model":"m","version":0})", "version:"},
      {R"({"provider":"ollama","model":"m","key_sealed":"v1:x"})", "key_sealed:"},
      {R"({"provider":"openai","model":"m","key_env":"LLMSCOPE_API_KEY"})", "key_env:"},
  };
  for (const auto& [body, field] : cases) {
    Result<TargetInput> in = ParseTargetInput(body);
    ASSERT_FALSE(in) << body;
    EXPECT_EQ(in.error().code, "invalid_field") << body;
    EXPECT_EQ(in.error().message.rfind(field, 0), 0u) << in.error().message;
  }
  EXPECT_EQ(ParseTargetInput("[1]").error().code, "invalid_json");
}

TEST(TargetJson, TheStoredBodyRoundTripsAndTheAuditBodyHasNoKey) {
  Result<TargetInput> in =
      ParseTargetInput(R"({"provider":"openai","model":"gpt","key_env":"OPENAI_API_KEY"})");
  ASSERT_TRUE(in);
  const std::string body = StoredTargetBody(in->target, "v1:sealed");
  Result<StoredTarget> stored = ParseStoredTarget(body);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->key_sealed, "v1:sealed");
  EXPECT_EQ(TargetFieldsJson(stored->target), TargetFieldsJson(in->target));
  const std::string audit = AuditTargetBody(in->target, true);
  EXPECT_EQ(audit.find("v1:sealed"), std::string::npos);
  EXPECT_NE(audit.find("\"key_set\":true"), std::string::npos);
}

TEST(TargetJson, IdsComeFromNames) {
  EXPECT_EQ(TargetIdOf("ollama/llama3.2:1b"), "ollama-llama3-2-1b");
  EXPECT_EQ(TargetIdOf("  My Target!! "), "my-target");
  EXPECT_EQ(TargetIdOf("///"), "");
  EXPECT_EQ(TargetIdOf(std::string(100, 'a')).size(), 64u);
}

TEST(ProviderModels, ListsAreReadFromEachWireFormat) {
  EXPECT_EQ(*ParseModelList("ollama", R"({"models":[{"name":"b"},{"name":"a"}]})"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*ParseModelList("openai", R"({"object":"list","data":[{"id":"gpt"}]})"),
            (std::vector<std::string>{"gpt"}));
  EXPECT_EQ(ParseModelList("anthropic", "<html>").error().code, "provider_unreachable");
}

}  // namespace
}  // namespace llmscope::targets

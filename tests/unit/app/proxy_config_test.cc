// The [proxy] section and its [[proxy.upstreams]]: off unless the file has [proxy]; then at
// least one upstream, each checked, and the keys overridable by LLMSCOPE_PROXY_*.
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

std::string ErrorOf(const std::string& toml) {
  Result<Config> c = Load(toml);
  return c.ok() ? "(no error)" : c.error().message;
}

TEST(ProxyConfig, OffWithoutAProxySection) {
  Result<Config> c = Load("[server]\nlisten = \"127.0.0.1:9000\"\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->proxy.enabled);
  EXPECT_EQ(c->proxy.listen, "127.0.0.1:8090");
  EXPECT_FALSE(c->proxy.require_key);
}

TEST(ProxyConfig, UpstreamsAndSettingsFromTheFileAndEnvironment) {
  Result<Config> c = Load(R"(
[proxy]
listen = "0.0.0.0:9100"
require_key = true
timeout_s = 60
queue = 500

[[proxy.upstreams]]
name = "openai"
provider = "openai"
base_url = "https://api.openai.com"

[[proxy.upstreams]]
name = "local"
provider = "ollama"
base_url = "http://127.0.0.1:11434"
)",
                          {{"LLMSCOPE_PROXY_LISTEN", "127.0.0.1:9200"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->proxy.enabled);
  EXPECT_EQ(c->proxy.listen, "127.0.0.1:9200");
  EXPECT_TRUE(c->proxy.require_key);
  EXPECT_EQ(c->proxy.timeout_s, 60);
  EXPECT_EQ(c->proxy.queue, 500);
  ASSERT_EQ(c->proxy.upstreams.size(), 2u);
  EXPECT_EQ(c->proxy.upstreams[1].name, "local");
  EXPECT_EQ(c->proxy.upstreams[1].provider, "ollama");
  EXPECT_EQ(c->proxy.upstreams[1].base_url, "http://127.0.0.1:11434");
}

TEST(ProxyConfig, BadProxyConfigsAreRefusedNamingTheKey) {
  EXPECT_NE(ErrorOf("[proxy]\n").find("at least one"), std::string::npos);
  EXPECT_NE(ErrorOf("[proxy]\nbogus = 1\n").find("unknown key proxy.bogus"), std::string::npos);
  EXPECT_NE(ErrorOf("[[proxy.upstreams]]\nname = \"a\"\nprovider = \"gemini\"\n"
                    "base_url = \"http://x\"\n")
                .find("proxy.upstreams[0].provider"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[proxy.upstreams]]\nname = \"a\"\nprovider = \"openai\"\nurl = \"x\"\n")
                .find("proxy.upstreams[0].url: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[proxy.upstreams]]\nname = \"a\"\nprovider = \"openai\"\n"
                    "base_url = \"ftp://x\"\n")
                .find("proxy.upstreams[0].base_url"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[proxy]\ntimeout_s = 0\n[[proxy.upstreams]]\nname = \"a\"\n"
                    "provider = \"openai\"\nbase_url = \"http://x\"\n")
                .find("proxy.timeout_s"),
            std::string::npos);
}

}  // namespace
}  // namespace llmscope::app

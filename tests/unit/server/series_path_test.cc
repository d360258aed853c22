// The series a route's path names (server/series_path.h), read from the path as sent: a provider
// holding '/' is addressed as %2F, a model may hold '/' either way, site and profile come from
// the query, and a path naming no series is "not_found" with the route's shape in the message.
#include "server/series_path.h"

#include <gtest/gtest.h>

#include "http/request.h"

namespace llmscope::server {
namespace {

http::Request At(const std::string& raw_path, http::Params params = {}) {
  http::Request req;
  req.raw_path = raw_path;
  req.path = http::DecodePercent(raw_path, false);
  req.params = std::move(params);
  return req;
}

TEST(SeriesPathTest, AProviderHoldingASlashIsSentEncoded) {
  Result<SeriesKey> key = SeriesFromPath(At("/api/series/azure%2Feu/gpt-4o/e2e_ms/slo"), "slo");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->source.provider, "azure/eu");
  EXPECT_EQ(key->source.model, "gpt-4o");
  EXPECT_EQ(key->metric, Metric::kE2eMs);
}

TEST(SeriesPathTest, AModelMayHoldSlashesAndSiteAndProfileComeFromTheQuery) {
  Result<SeriesKey> key = SeriesFromPath(At("/api/series/open%20ai/meta/llama%203/ttft_ms/stages",
                                            {{"site", "eu"}, {"profile", "long"}}),
                                         "stages");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->source, (SourceKey{"open ai", "meta/llama 3", "eu", "long"}));
  EXPECT_EQ(key->metric, Metric::kTtftMs);
}

TEST(SeriesPathTest, APathNamingNoSeriesIsNotFound) {
  for (const char* raw : {"/api/series/ollama/e2e_ms/slo", "/api/series/ollama/llama3/latency/slo",
                          "/api/series/ollama/llama3/e2e_ms/stages", "/api/other/a/b/e2e_ms/slo"}) {
    Result<SeriesKey> key = SeriesFromPath(At(raw), "slo");
    ASSERT_FALSE(key) << raw;
    EXPECT_EQ(key.error().code, "not_found");
    EXPECT_NE(key.error().message.find("/api/series/PROVIDER/MODEL/METRIC/slo"), std::string::npos);
  }
}

}  // namespace
}  // namespace llmscope::server

// The ingest reply written by hand is byte for byte what the nlohmann tree it replaced dumped.
#include "server/ingest_reply.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "http/response.h"
#include "server/http_reply.h"
#include "server/json_views.h"

namespace llmscope::server {
namespace {

// The reply as the route built it before: an nlohmann tree through SendJson.
std::string TreeReply(const monitor::IngestReceipt& r, const std::vector<std::string>& ignored) {
  http::Response res;
  SendJson(res, 200,
           Json{{"status", "ok"},
                {"logged", true},
                {"count", r.ids.size()},
                {"ids", r.ids},
                {"duplicates", r.duplicates},
                {"violations_detected", r.violations_opened},
                {"ignored_fields", ignored}});
  return res.body;
}

void ExpectSame(const monitor::IngestReceipt& r, const std::vector<std::string>& ignored) {
  EXPECT_EQ(IngestReceiptJson(r, IgnoredFieldsJson(ignored)), TreeReply(r, ignored));
}

TEST(IngestReplyTest, OneSample) {
  monitor::IngestReceipt r;
  r.ids = {1};
  ExpectSame(r, {});
  EXPECT_EQ(IngestReceiptJson(r, IgnoredFieldsJson({})),
            R"({"status":"ok","logged":true,"count":1,"ids":[1],"duplicates":0,)"
            R"("violations_detected":0,"ignored_fields":[]})");
}

TEST(IngestReplyTest, BatchWithDuplicatesAndViolations) {
  monitor::IngestReceipt r;
  for (int64_t id = 1; id <= 500; ++id) r.ids.push_back(id * 1'000'003);
  r.ids.push_back(std::numeric_limits<int64_t>::max());
  r.duplicates = 7;
  r.violations_opened = 3;
  ExpectSame(r, {});
}

TEST(IngestReplyTest, EmptyReceipt) {
  ExpectSame(monitor::IngestReceipt{}, {});
}

TEST(IngestReplyTest, IgnoredFieldsEscapedAsBefore) {
  monitor::IngestReceipt r;
  r.ids = {42, 43};
  ExpectSame(r, {"endpoint", "metadata", "zz_extra"});
  ExpectSame(r, {"quote\"back\\slash", "tab\tnewline\n", "\x01control", "ünïcødé"});
  // Invalid UTF-8 is replaced, as SendJson's dump replaced it.
  ExpectSame(r, {std::string("bad\xff\xfe")});
}

}  // namespace
}  // namespace llmscope::server

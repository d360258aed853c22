// The bad-input corpus against the real `llmscope serve` on 127.0.0.1.
//
// Every request of bad_inputs/http_cases.json (malformed and truncated JSON, wrong types, NaN,
// Inf, negative and huge numbers, values beyond the sane bounds, huge bodies, deep nesting,
// invalid UTF-8, missing keys, calls that measured nothing, contradicting keys, bad query
// parameters, bad keys) is sent as raw bytes and gets its 4xx status and a JSON error
// {"error":{"code","message"}} with its code; the server answers /health after each.
// Partial requests (slow-loris: headers never finished, bodies shorter than their
// Content-Length, then silence or a half-close) are held open on raw sockets the whole time and
// never stop the server from answering others, and none of them is stored. After all of it the
// store holds exactly what it held before. Names made of SQL and HTML injection strings are
// accepted as the data they are and come back exactly, as JSON strings, from the API.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/raw_http.h"
#include "support/server_process.h"
#include "support/sqlite_file.h"

namespace llmscope::testing {
namespace {

using nlohmann::json;

json LoadCorpus() {
  std::ifstream in(LLMSCOPE_BAD_INPUTS_DIR "/http_cases.json");
  return json::parse(in);
}

std::string Base64Decode(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    const size_t d = kAlphabet.find(c);
    if (d == std::string::npos) continue;  // '=' padding
    value = value << 6 | static_cast<int>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

std::string Body(const json& c) {
  if (c.contains("body_base64")) return Base64Decode(c["body_base64"]);
  if (c.contains("body_repeat")) {
    const json& r = c["body_repeat"];
    std::string out = r.value("prefix", "");
    const std::string text = r["repeat"];
    for (int i = 0; i < r["times"].get<int>(); ++i) out += text;
    return out + r.value("suffix", "");
  }
  return c.value("body", "");
}

// The request of one case as bytes on the wire.
std::string Request(const ServerProcess& server, const json& c) {
  const std::string method = c["method"];
  std::string head = method + " " + c["path"].get<std::string>() + " HTTP/1.1\r\n" +
                     "Host: 127.0.0.1\r\nConnection: close\r\n";
  const std::string auth = c.value("auth", "key");
  if (auth == "key") head += "Authorization: Bearer " + server.api_key() + "\r\n";
  if (auth == "wrong") head += "Authorization: Bearer not-the-key\r\n";
  const json headers = c.value("headers", json::object());
  for (const auto& h : headers.items())
    head += h.key() + ": " + h.value().get<std::string>() + "\r\n";
  if (method == "GET") return head + "\r\n";
  const std::string body = Body(c);
  head += "Content-Type: " + c.value("content_type", "application/json") + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  return head + body;
}

// What the store holds, as the API and the file show it.
json Counts(const ServerProcess& server) {
  const Reply stats = server.Call("GET", "/api/stats");
  const Reply series = server.Call("GET", "/api/series");
  const Reply violations = server.Call("GET", "/api/violations?limit=100000");
  SqliteFile db(server.db_path());
  return json{{"stats", json::parse(stats.body, nullptr, false)},
              {"series", json::parse(series.body, nullptr, false)},
              {"violations", json::parse(violations.body, nullptr, false)},
              {"sample_rows", db.Rows("SELECT count(*) FROM samples")},
              {"violation_rows", db.Rows("SELECT count(*) FROM violations")},
              {"integrity", db.IntegrityCheck()}};
}

bool Healthy(const ServerProcess& server) {
  return server.Call("GET", "/health").status == 200;
}

// Partial requests that a slow or hostile client leaves open.
std::vector<std::string> PartialRequests(const ServerProcess& server) {
  const std::string auth = "Authorization: Bearer " + server.api_key() + "\r\n";
  const std::string sample = R"({"provider":"partial","model":"m","latency_ms":1})";
  return {
      "POST /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n",  // headers never finished
      "POST /api/sta",                                    // request line cut
      "GET /api/series HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth,
      // a body shorter than its Content-Length
      "POST /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
          "Content-Type: application/json\r\nContent-Length: " + std::to_string(sample.size()) +
          "\r\n\r\n" + sample.substr(0, sample.size() - 1),
      // a chunked body never finished
      "POST /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
          "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" +
          sample.substr(0, 16) + "\r\n",
  };
}

TEST(BadInputTest, EveryBadRequestGetsItsJsonErrorAndNothingIsStored) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  ASSERT_EQ(server->Call("POST", "/api/stats", R"({"provider":"seed","model":"m","latency_ms":5})")
                .status,
            200);
  const json before = Counts(*server);

  // Slow-loris: partial requests held open on more sockets than the server has threads for
  // any one of them to matter.
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int copy = 0; copy < 4; ++copy) {
    for (const std::string& partial : PartialRequests(*server)) {
      held.push_back(std::make_unique<RawConnection>(server->port()));
      ASSERT_TRUE(held.back()->connected());
      held.back()->Send(partial);
    }
  }

  const json corpus = LoadCorpus();
  ASSERT_GE(corpus["cases"].size(), 50u);
  int passed = 0;
  for (const json& c : corpus["cases"]) {
    const std::string name = c["name"];
    RawConnection conn(server->port());
    ASSERT_TRUE(conn.connected()) << name;
    conn.Send(Request(*server, c));  // a refused huge body may be cut short: the reply counts
    const RawResponse r = ParseRawResponse(conn.ReadUntilClosed(std::chrono::seconds(20)));
    EXPECT_EQ(r.status, c["status"].get<int>()) << name << ": " << r.body.substr(0, 300);
    EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << name;
    const json body = json::parse(r.body, nullptr, false);
    const bool json_error = body.is_object() && body.contains("error") &&
                            body["error"].value("code", "") == c["code"].get<std::string>() &&
                            !body["error"].value("message", "").empty();
    EXPECT_TRUE(json_error) << name << ": " << r.body.substr(0, 300);
    ASSERT_TRUE(Healthy(*server)) << "the server stopped answering after: " << name << "\n"
                                  << server->Stderr();
    if (r.status == c["status"].get<int>() && json_error) ++passed;
  }

  // Partial bodies half-closed: the server reads end of file and stores nothing.
  for (const std::string& partial : PartialRequests(*server)) {
    RawConnection conn(server->port());
    conn.Send(partial);
    conn.HalfClose();
    const RawResponse r = ParseRawResponse(conn.ReadUntilClosed(std::chrono::seconds(20)));
    EXPECT_TRUE(r.status == 0 || r.status == 400) << partial << " → " << r.status << " " << r.body;
  }
  ASSERT_TRUE(Healthy(*server));
  held.clear();
  ASSERT_TRUE(Healthy(*server));

  EXPECT_EQ(Counts(*server), before) << "a refused request changed the store";
  std::cout << "[ info ] bad-input corpus: " << passed << " of " << corpus["cases"].size()
            << " cases refused as expected; " << 4 * PartialRequests(*server).size()
            << " partial requests held open" << std::endl;
  EXPECT_EQ(server->Stop(), 0) << server->Stderr();
}

TEST(BadInputTest, InjectionStringsInNamesAreStoredAsDataAndComeBackExactly) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  const std::vector<std::string> names = {
      "x'); DROP TABLE samples;--",    "\" OR \"1\"=\"1",    "<script>alert(\"llmscope\")</script>",
      "<img src=x onerror=alert(1)>",  "a\\b/c&d=e?f#g%20h",
      "\u00e9\u4e2d\U0001F600 \u202e",  // accents, CJK, emoji, right-to-left override
  };
  for (const std::string& name : names) {
    const json sample = {{"provider", name}, {"model", name}, {"latency_ms", 10}};
    const Reply r = server->Call("POST", "/api/stats", sample.dump());
    ASSERT_EQ(r.status, 200) << name << ": " << r.body;
  }
  const Reply series = server->Call("GET", "/api/series");
  ASSERT_EQ(series.status, 200);
  const json list = json::parse(series.body);  // the names are inside valid JSON strings
  std::set<std::string> providers, models;
  for (const json& s : list["series"]) {
    providers.insert(s["provider"].get<std::string>());
    models.insert(s["model"].get<std::string>());
  }
  for (const std::string& name : names) {
    EXPECT_TRUE(providers.count(name)) << name << " in " << series.body;
    EXPECT_TRUE(models.count(name)) << name;
  }
  const Reply stats = server->Call("GET", "/api/stats");
  EXPECT_EQ(json::parse(stats.body)["count"], names.size()) << "the samples table is intact";
  SqliteFile db(server->db_path());
  EXPECT_EQ(db.IntegrityCheck(), "ok");
  EXPECT_EQ(db.Rows("SELECT count(*) FROM samples")[0][0], std::to_string(names.size()));
  EXPECT_EQ(server->Stop(), 0) << server->Stderr();
}

}  // namespace
}  // namespace llmscope::testing

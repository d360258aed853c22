// The body of POST /api/stats' 200 reply, written without a JSON tree: it is built on the
// monitor's writer thread once per request, after the group's commit, where an nlohmann tree of
// the ids (a node and an allocation per id, and the tree's teardown) was a visible share of the
// writer's time with single-sample requests (bench/README.md, "Single-sample ingest").
//
// The bytes are those SendJson wrote for the same reply (ingest_reply_test.cc checks them
// against it):
//   {"status":"ok","logged":true,"count":N,"ids":[...],"duplicates":D,
//    "violations_detected":V,"ignored_fields":[...]}
// `ignored_fields_json` is IgnoredFieldsJson's text, made where the body was parsed, so that the
// writer only appends integers.
#pragma once

#include <string>
#include <vector>

#include "monitor/series_monitor.h"

namespace llmscope::server {

// The JSON array of the ignored keys (IngestBody::ignored_fields), escaped as SendJson escapes.
std::string IgnoredFieldsJson(const std::vector<std::string>& ignored_fields);

// The reply's body for `receipt`.
std::string IngestReceiptJson(const monitor::IngestReceipt& receipt,
                              const std::string& ignored_fields_json);

}  // namespace llmscope::server

#include "server/ingest_reply.h"

#include <charconv>
#include <string_view>

#include "server/json_views.h"

namespace llmscope::server {
namespace {

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

std::string IgnoredFieldsJson(const std::vector<std::string>& ignored_fields) {
  if (ignored_fields.empty()) return "[]";
  return Json(ignored_fields).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string IngestReceiptJson(const monitor::IngestReceipt& receipt,
                              const std::string& ignored_fields_json) {
  constexpr std::string_view kHead = R"({"status":"ok","logged":true,"count":)";
  std::string out;
  // Up to 20 characters an id; the rest is the fixed text and three small numbers.
  out.reserve(kHead.size() + 96 + 21 * receipt.ids.size() + ignored_fields_json.size());
  out.append(kHead);
  AppendInt(out, static_cast<int64_t>(receipt.ids.size()));
  out.append(R"(,"ids":[)");
  for (size_t i = 0; i < receipt.ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendInt(out, receipt.ids[i]);
  }
  out.append(R"(],"duplicates":)");
  AppendInt(out, receipt.duplicates);
  out.append(R"(,"violations_detected":)");
  AppendInt(out, receipt.violations_opened);
  out.append(R"(,"ignored_fields":)");
  out.append(ignored_fields_json);
  out.push_back('}');
  return out;
}

}  // namespace llmscope::server

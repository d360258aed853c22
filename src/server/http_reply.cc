#include "server/http_reply.h"

#include <httplib.h>

namespace llmscope::server {

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message) {
  SendJson(res, status, ErrorJson(code, message));
}

void SendFailure(httplib::Response& res, const Error& e) {
  int status = 400;
  if (e.code == "not_found") status = 404;
  if (e.code == "storage_error") status = 503;
  SendError(res, status, e.code, e.message);
}

}  // namespace llmscope::server

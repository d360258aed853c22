// Writing JSON replies, shared by every route file: a body with its status, and the API's error
// shape {"error": {"code", "message"}}.
#pragma once

#include <string>

#include "core/result.h"
#include "server/json_views.h"

namespace httplib {
struct Response;
}

namespace llmscope::server {

void SendJson(httplib::Response& res, int status, const Json& body);
void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message);
// An error from the layers below: "not_found" → 404, "storage_error" → 503, else 400.
void SendFailure(httplib::Response& res, const Error& e);

}  // namespace llmscope::server

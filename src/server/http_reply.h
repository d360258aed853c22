// Writing JSON replies, shared by every route file: a body with its status, and the API's error
// shape {"error": {"code", "message"}} with the one HTTP status each error code has.
#pragma once

#include <string_view>

#include "core/result.h"
#include "server/json_views.h"

namespace llmscope::http {
struct Response;
}

namespace llmscope::server {

void SendJson(http::Response& res, int status, const Json& body);

// The HTTP status of an error code, the same for every route:
//   400  the request is wrong: bad_request, invalid_json, invalid_field, invalid_parameter,
//        invalid_spec, invalid_value, unknown_field, missing_field, batch_too_large,
//        too_few_points
//   401  unauthorized          404  not_found          409  conflict, confirm_new_stage
//   413  body_too_large
//   415  unsupported_media_type
//   502  provider_unreachable (a provider asked on the client's behalf did not answer usably)
//   503  the server cannot serve it now: storage_error, too_many_streams
//   500  internal, and any code not listed (a code a route may send belongs in the table)
int HttpStatusOf(std::string_view code);

// {"error": {"code", "message"}} with HttpStatusOf(e.code). Every error a route or the auth check
// sends goes through it; only a malformed request that the library refused keeps the library's
// status (HttpApi's error handler).
void SendError(http::Response& res, const Error& e);

}  // namespace llmscope::server

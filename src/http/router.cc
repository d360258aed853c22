#include "http/router.h"


namespace llmscope::http {

void Router::Get(const std::string& pattern, Handler handler) {
  Add("GET", pattern, std::move(handler));
}

void Router::Post(const std::string& pattern, Handler handler) {
  Add("POST", pattern, std::move(handler));
}

void Router::Put(const std::string& pattern, Handler handler) {
  Add("PUT", pattern, std::move(handler));
}

void Router::Delete(const std::string& pattern, Handler handler) {
  Add("DELETE", pattern, std::move(handler));
}

void Router::SetPreRouting(PreRoutingHook hook) {
  pre_routing_ = std::move(hook);
}

void Router::Add(std::string method, const std::string& pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), std::regex(pattern), std::move(handler)});
}

void Router::Dispatch(Request& req, Response& res) const {
  try {
    if (pre_routing_ && pre_routing_(req, res)) return;
    const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
    std::string allowed;
    for (const Route& route : routes_) {
      std::smatch match;
      if (!std::regex_match(req.path, match, route.pattern)) continue;
      if (route.method != method) {
        if (allowed.find(route.method) == std::string::npos) {
          allowed += allowed.empty() ? route.method : ", " + route.method;
        }
        continue;
      }
      req.matches.assign(match.begin(), match.end());
      route.handler(req, res);
      return;
    }
    if (allowed.empty()) return SetErrorReply(res, 404, "not_found", "no such route");
    SetErrorReply(res, 405, "method_not_allowed", req.method + " is not served here");
    res.set_header("Allow", allowed);
  } catch (...) {
    res = Response();
    SetErrorReply(res, 500, "internal", "the request failed inside the server");
  }
}

}  // namespace llmscope::http

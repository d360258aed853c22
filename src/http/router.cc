#include "http/router.h"

namespace llmscope::http {
namespace {

// Adds the pre-routing hook's headers (CORS) to an asynchronous route's reply.
class WithHeaders : public Responder {
 public:
  WithHeaders(std::shared_ptr<Responder> inner, Headers headers)
      : inner_(std::move(inner)), headers_(std::move(headers)) {}
  void Send(Response res) override {
    for (const auto& [name, value] : headers_) {
      if (!res.headers.contains(name)) res.headers.emplace(name, value);
    }
    inner_->Send(std::move(res));
  }

 private:
  const std::shared_ptr<Responder> inner_;
  const Headers headers_;
};

const std::string& RoutedMethod(const Request& req) {
  static const std::string kGet = "GET";
  return req.method == "HEAD" ? kGet : req.method;
}

}  // namespace

void Router::Get(const std::string& pattern, Handler handler) {
  Add(Route{"GET", std::regex(pattern), std::move(handler), nullptr});
}

void Router::Post(const std::string& pattern, Handler handler) {
  Add(Route{"POST", std::regex(pattern), std::move(handler), nullptr});
}

void Router::Put(const std::string& pattern, Handler handler) {
  Add(Route{"PUT", std::regex(pattern), std::move(handler), nullptr});
}

void Router::Delete(const std::string& pattern, Handler handler) {
  Add(Route{"DELETE", std::regex(pattern), std::move(handler), nullptr});
}

void Router::PostAsync(const std::string& pattern, AsyncHandler handler) {
  Add(Route{"POST", std::regex(pattern), nullptr, std::move(handler)});
}

void Router::SetPreRouting(PreRoutingHook hook) {
  pre_routing_ = std::move(hook);
}

void Router::Add(Route route) {
  routes_.push_back(std::move(route));
}

bool Router::RoutesAsync(const Request& req) const {
  const std::string& method = RoutedMethod(req);
  for (const Route& route : routes_) {
    if (route.method == method && std::regex_match(req.path, route.pattern)) {
      return static_cast<bool>(route.async);
    }
  }
  return false;
}

const Router::Route* Router::Find(Request& req, Response& res) const {
  const std::string& method = RoutedMethod(req);
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
    return &route;
  }
  if (allowed.empty()) {
    SetErrorReply(res, 404, "not_found", "no such route");
  } else {
    SetErrorReply(res, 405, "method_not_allowed", req.method + " is not served here");
    res.set_header("Allow", allowed);
  }
  return nullptr;
}

void Router::Dispatch(Request& req, std::shared_ptr<Responder> responder) const {
  Response res;
  try {
    if (pre_routing_ && pre_routing_(req, res)) return responder->Send(std::move(res));
    const Route* route = Find(req, res);
    if (route == nullptr) return responder->Send(std::move(res));
    if (route->async) {
      if (!res.headers.empty()) {
        responder = std::make_shared<WithHeaders>(std::move(responder), std::move(res.headers));
      }
      // A copy: should the handler throw, the reply below is still sent.
      return route->async(req, responder);
    }
    route->handler(req, res);
  } catch (...) {
    res = Response();
    SetErrorReply(res, 500, "internal", "the request failed inside the server");
  }
  responder->Send(std::move(res));
}

}  // namespace llmscope::http

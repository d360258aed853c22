// Router: which handler answers a request, by method and path pattern.
//
// A pattern is a regular expression (std::regex, ECMAScript) matched against the whole
// percent-decoded path; its captures reach the handler as Request::matches. Routes are tried in
// the order they were added; the first match answers. A path no route matches gets 404
// "not_found"; a path that only other methods' routes match gets 405 "method_not_allowed" with
// Allow. HEAD is routed as GET. A handler that throws gets 500 "internal".
//
// The pre-routing hook runs before any of that, for every request (auth, CORS): when it returns
// true the response it filled is the reply and no route runs.
//
// Set up before the server serves; Dispatch is then safe from many threads at once.
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace llmscope::http {

using Handler = std::function<void(const Request&, Response&)>;
using PreRoutingHook = std::function<bool(const Request&, Response&)>;

class Router {
 public:
  void Get(const std::string& pattern, Handler handler);
  void Post(const std::string& pattern, Handler handler);
  void Put(const std::string& pattern, Handler handler);
  void Delete(const std::string& pattern, Handler handler);
  void SetPreRouting(PreRoutingHook hook);

  // Fills `res` for `req` (and req.matches).
  void Dispatch(Request& req, Response& res) const;

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    Handler handler;
  };
  void Add(std::string method, const std::string& pattern, Handler handler);

  std::vector<Route> routes_;
  PreRoutingHook pre_routing_;
};

}  // namespace llmscope::http

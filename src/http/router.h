// Router: which handler answers a request, by method and path pattern.
//
// A pattern is a regular expression (std::regex, ECMAScript) matched against the whole
// percent-decoded path; its captures reach the handler as Request::matches. Routes are tried in
// the order they were added; the first match answers. A path no route matches gets 404
// "not_found"; a path that only other methods' routes match gets 405 "method_not_allowed" with
// Allow. HEAD is routed as GET. A handler that throws gets 500 "internal".
//
// A handler fills its Response before it returns, and may block (the engine runs it on a
// handler thread). An asynchronous handler (PostAsync) must not block: it takes a Responder and
// replies through it later, from any thread (e.g. once a group commit is durable), so no thread
// waits for its reply; the engine may run it on an I/O thread (docs/design.md "HTTP engine").
//
// The pre-routing hook runs before any of that, for every request (auth, CORS): when it returns
// true the response it filled is the reply and no route runs. It must not block either. Headers
// it sets on a request it lets through are added to the route's reply.
//
// Set up before the server serves; Dispatch is then safe from many threads at once.
#pragma once

#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace llmscope::http {

using Handler = std::function<void(const Request&, Response&)>;
using AsyncHandler = std::function<void(const Request&, std::shared_ptr<Responder>)>;
using PreRoutingHook = std::function<bool(const Request&, Response&)>;

class Router {
 public:
  void Get(const std::string& pattern, Handler handler);
  void Post(const std::string& pattern, Handler handler);
  void Put(const std::string& pattern, Handler handler);
  void Delete(const std::string& pattern, Handler handler);
  void PostAsync(const std::string& pattern, AsyncHandler handler);
  void SetPreRouting(PreRoutingHook hook);

  // Whether an asynchronous route answers `req` (its method and path): Dispatch of it then
  // does not block.
  bool RoutesAsync(const Request& req) const;
  // Answers `req` (setting req.matches) through `responder`: before it returns, unless an
  // asynchronous route took the responder to answer later.
  void Dispatch(Request& req, std::shared_ptr<Responder> responder) const;

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    Handler handler;     // or
    AsyncHandler async;  // when set
  };
  void Add(Route route);
  // The route for `req`; null when none: `res` then holds the 404 or 405.
  const Route* Find(Request& req, Response& res) const;

  std::vector<Route> routes_;
  PreRoutingHook pre_routing_;
};

}  // namespace llmscope::http

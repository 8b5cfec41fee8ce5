#pragma once
// Routes "/api/{user_id}/tasks/{id}"-style patterns to handlers. Matching walks path
// segments; a literal segment wins over a "{param}" one. No regular expressions on the
// hot path. Built once at start-up, then read-only (safe to share across I/O threads).
//
// HEAD is answered by the GET route of a path that has no HEAD route of its own (the
// server then sends the GET headers without the body, RFC 9110 §9.3.2).
//
// A fallback (set_fallback) answers the requests of its methods whose path no route has:
// the web UI serves its static files that way without the router knowing their names.
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "http/problem.hpp"
#include "http/types.hpp"

namespace todo::http {

// Adapts a handler `fn(deps, ctx)` that needs its module's dependencies to a Handler (`fn` may
// also be a member function of Deps: `with(*this, &Module::route)`). `deps` must outlive the
// router (a member of the module).
//
// `fn` returns awaitable<Response>, or awaitable<Reply> = awaitable<Result<Response>>: then an
// expected failure is simply `co_return error;` (validation, not found, conflict, ...) and
// this adapter turns it into the problem document, in one place (http/problem.hpp).
using Reply = Result<Response>;

template <class Deps, class Fn>
Handler with(Deps& deps, Fn fn) {
  using Returned = std::invoke_result_t<Fn&, Deps&, RequestContext&>;
  if constexpr (std::is_same_v<Returned, boost::asio::awaitable<Reply>>) {
    return [&deps, fn](RequestContext& ctx) -> boost::asio::awaitable<Response> {
      Reply reply = co_await std::invoke(fn, deps, ctx);
      co_return reply ? std::move(*reply) : problem(reply.error(), ctx);
    };
  } else {
    return [&deps, fn](RequestContext& ctx) { return std::invoke(fn, deps, ctx); };
  }
}

class Router {
 public:
  void add(beast_http::verb method, std::string pattern, Handler handler);

  // Handler for `methods` on every path that no route has (a path some route has but for
  // other methods is still a 405). `name` stands for the route in metrics and logs.
  void set_fallback(std::vector<beast_http::verb> methods, std::string name, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: path known but method not allowed
    std::string route;                 // the pattern, for metrics
    std::map<std::string, std::string> params;
    std::string allowed;  // "GET, POST" for a 405
  };
  // nullopt: no route has this path (404).
  std::optional<Match> match(beast_http::verb method, std::string_view path) const;

  // True when some route (or the fallback) takes `method`, HEAD whenever GET is taken.
  // A method no resource implements is a 501, not a 405 (RFC 9110 §9.1, §15.6.2).
  bool implements(beast_http::verb method) const;

  // Every (method, pattern) registered, for the OpenAPI coverage test and docs.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Route {
    beast_http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  struct Fallback {
    std::vector<beast_http::verb> methods;
    std::string name;
    Handler handler;
  };
  std::optional<Fallback> fallback_;

  std::optional<Match> fallback_match(beast_http::verb method) const;
};

}  // namespace todo::http

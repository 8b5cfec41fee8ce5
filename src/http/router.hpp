#pragma once
// Routes "/api/{user_id}/tasks/{id}"-style patterns to handlers. Matching walks path
// segments; a literal segment wins over a "{param}" one. No regular expressions on the
// hot path. Built once at start-up, then read-only (safe to share across I/O threads).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.hpp"

namespace todo::http {

// Adapts a handler `fn(services, ctx)` that needs the shared services to a Handler.
template <class Services, class Fn>
Handler with(Services& services, Fn fn) {
  return [&services, fn](RequestContext& ctx) { return fn(services, ctx); };
}

class Router {
 public:
  void add(beast_http::verb method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: path known but method not allowed
    std::string route;                 // the pattern, for metrics
    std::map<std::string, std::string> params;
    std::string allowed;  // "GET, POST" for a 405
  };
  // nullopt: no route has this path (404).
  std::optional<Match> match(beast_http::verb method, std::string_view path) const;

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
};

}  // namespace todo::http

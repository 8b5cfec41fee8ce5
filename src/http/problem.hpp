#pragma once
// The one place where Errors become HTTP: status codes and RFC 9457 problem+json bodies.
#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "http/types.hpp"

namespace todo::http {

int status_for(ErrorKind kind);
Response problem_response(const Error& error, unsigned http_version, bool keep_alive);
// The problem answer to this request (same HTTP version and keep-alive).
inline Response problem(const Error& error, const RequestContext& ctx) {
  return problem_response(error, ctx.request.version(), ctx.request.keep_alive());
}

// JSON responses with the right headers (Content-Type, Cache-Control).
Response json_response(beast_http::status status, const boost::json::value& body,
                       const Request& request);
Response json_response(beast_http::status status, std::string body, const Request& request);
Response empty_response(beast_http::status status, const Request& request);

}  // namespace todo::http

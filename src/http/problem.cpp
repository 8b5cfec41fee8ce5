#include "http/problem.hpp"

#include <boost/json.hpp>

namespace todo::http {
namespace {

struct KindInfo {
  int status;
  const char* slug;
  const char* title;
};

KindInfo info(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request:
      return {400, "bad-request", "Bad request"};
    case ErrorKind::unauthorized:
      return {401, "unauthorized", "Authentication required"};
    case ErrorKind::forbidden:
      return {403, "forbidden", "Forbidden"};
    case ErrorKind::not_found:
      return {404, "not-found", "Not found"};
    case ErrorKind::method_not_allowed:
      return {405, "method-not-allowed", "Method not allowed"};
    case ErrorKind::conflict:
      return {409, "conflict", "Conflict"};
    case ErrorKind::precondition_failed:
      return {412, "precondition-failed", "Precondition failed"};
    case ErrorKind::payload_too_large:
      return {413, "payload-too-large", "Payload too large"};
    case ErrorKind::unsupported_media_type:
      return {415, "unsupported-media-type", "Unsupported media type"};
    case ErrorKind::expectation_failed:
      return {417, "expectation-failed", "Expectation failed"};
    case ErrorKind::uri_too_long:
      return {414, "uri-too-long", "URI too long"};
    case ErrorKind::header_too_large:
      return {431, "header-too-large", "Request header fields too large"};
    case ErrorKind::validation:
      return {422, "validation", "Validation failed"};
    case ErrorKind::too_many_requests:
      return {429, "too-many-requests", "Too many requests"};
    case ErrorKind::unavailable:
      return {503, "unavailable", "Service unavailable"};
    case ErrorKind::not_implemented:
      return {501, "not-implemented", "Not implemented"};
    case ErrorKind::internal:
      return {500, "internal", "Internal server error"};
  }
  return {500, "internal", "Internal server error"};
}

}  // namespace

int status_for(ErrorKind kind) {
  return info(kind).status;
}

Response problem_response(const Error& error, unsigned http_version, bool keep_alive) {
  KindInfo k = info(error.kind);
  const bool sub = !error.subtype.empty();
  boost::json::object body{{"type", std::string("/problems/") + (sub ? error.subtype : k.slug)},
                           {"title", sub && !error.title.empty() ? error.title : k.title},
                           {"status", k.status},
                           {"detail", error.detail.empty() ? k.title : error.detail}};
  if (!error.errors.empty()) {
    boost::json::array list;
    for (const auto& e : error.errors) list.push_back({{"field", e.field}, {"message", e.message}});
    body["errors"] = std::move(list);
  }
  for (const auto& [name, value] : error.members) body[name] = value;
  Response res{static_cast<beast_http::status>(k.status), http_version};
  res.set(beast_http::field::content_type, "application/problem+json");
  res.set(beast_http::field::cache_control, "no-store");
  if (error.retry_after_seconds > 0)
    res.set(beast_http::field::retry_after, std::to_string(error.retry_after_seconds));
  if (!error.challenge.empty())
    res.set(beast_http::field::www_authenticate, error.challenge);
  else if (error.kind == ErrorKind::unauthorized)
    res.set(beast_http::field::www_authenticate, "Bearer");
  res.keep_alive(keep_alive);
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

Response json_response(beast_http::status status, std::string body, const Request& request) {
  Response res{status, request.version()};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(beast_http::status status, const boost::json::value& body,
                       const Request& request) {
  return json_response(status, boost::json::serialize(body), request);
}

Response empty_response(beast_http::status status, const Request& request) {
  Response res{status, request.version()};
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace todo::http

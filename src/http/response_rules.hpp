#pragma once
// What the server does to every response before writing it, whoever made it (handlers,
// the server's own errors, 503 rejects, stream heads). Pure apart from the clock;
// unit-tested in tests/http.
#include <string>

#include "http/types.hpp"

namespace todo::http {

// Headers every response carries:
// - Date (RFC 9110 §6.6.1: an origin server with a clock MUST send it in 2xx-4xx, MAY in
//   5xx: we always do), in IMF-fixdate;
// - X-Content-Type-Options: nosniff, so browsers never sniff an API answer into HTML.
void add_common_headers(Response& response);

// The whole finishing step for a handler's answer to `request`:
// - common headers (above);
// - keep-alive only when the request allows it ("Connection: close", or HTTP/1.0 without
//   "keep-alive", closes: RFC 9112 §9.3, §9.6);
// - gzip (maybe_compress below);
// - HEAD: the GET headers, Content-Length included, without the body (RFC 9110 §9.3.2).
void finish_response(const Request& request, Response& response);

// Compresses an application/json or application/problem+json body of at least
// kCompressMinBytes with gzip (fast level) when the request's Accept-Encoding accepts it,
// and says Vary: Accept-Encoding whenever the answer depends on it. Never touches a
// response that already has a Content-Encoding, nor one with an ETag (a strong validator
// names one representation, RFC 9110 §8.8.3: the gzip one would need its own).
void maybe_compress(const Request& request, Response& response);

// Now as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), cached per second and thread.
const std::string& http_date_now();

}  // namespace todo::http

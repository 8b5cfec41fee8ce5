#pragma once
// Reading JSON request bodies: Content-Type must be application/json (415 otherwise),
// the bytes valid UTF-8 and well-formed JSON (400 naming "body"). Depth and size are
// bounded by the parser options and the server's body limit.
#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "http/types.hpp"

namespace todo::http {

Result<boost::json::value> parse_json_body(const Request& request);
// For routes whose body is optional (PATCH .../complete): an empty body gives null.
Result<boost::json::value> parse_optional_json_body(const Request& request);

}  // namespace todo::http

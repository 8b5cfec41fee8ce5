#pragma once
// HS256 JSON Web Tokens (RFC 7519) with OpenSSL HMAC. Only HS256 is accepted: a token
// with any other "alg" (including "none") is rejected.
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "tasks/task.hpp"

namespace todo {

struct JwtClaims {
  std::string subject;  // user id
  Millis issued_at = 0;
  Millis expires_at = 0;
};

std::string sign_jwt(const JwtClaims& claims, std::string_view secret);

// ErrorKind::unauthorized with a detail saying why (malformed, bad signature, expired,
// unsupported algorithm) when the token is not valid at `now`.
Result<JwtClaims> verify_jwt(std::string_view token, std::string_view secret, Millis now);

}  // namespace todo

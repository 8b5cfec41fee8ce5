#pragma once
// HS256 JSON Web Tokens: RFC 7519 claims in an RFC 7515 JWS compact serialization, signed
// with OpenSSL HMAC, checked as RFC 8725 (JWT best current practices) advises.
//
// The profile we issue and the only one we accept:
//   header  {"alg":"HS256","typ":"JWT"}: "alg" exactly HS256 (never "none", RFC 8725 §3.1);
//           "typ", when present, "JWT" or "application/jwt" in any case (RFC 7519 §5.1,
//           RFC 7515 §4.1.9); "crit" is refused, as we understand no extension (RFC 7515
//           §4.1.11), and so are "b64" other than true (RFC 7797), nested tokens ("cty":
//           "JWT", RFC 7519 §5.2) and the JWE parameters "enc" and "zip".
//   claims  "iss" = JwtOptions::issuer, "aud" naming JwtOptions::audience (a string or an
//           array of strings, RFC 7519 §4.1.3), "sub" a non-empty string, "jti" a non-empty
//           string (sessions are revoked by it), "iat" and "exp" NumericDates (numbers, not
//           strings; fractions allowed, RFC 7519 §2), optional "nbf". Unknown claims are
//           ignored (RFC 7519 §4).
//   JSON    header and claims are JSON objects without duplicate member names (RFC 7515
//           §5.2 lets us refuse them); every segment is base64url without padding and
//           without foreign characters (RFC 7515 §2).
// Time checks allow JwtOptions::leeway_seconds of clock skew (RFC 7519 §4.1.4, 4.1.5).
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"

namespace todo {

// What this deployment issues and accepts beyond the signature. Every role that verifies
// tokens must use the same values as the role that issues them.
struct JwtOptions {
  std::string issuer = "todo-platform";    // "iss" we issue and require
  std::string audience = "todo-platform";  // must be "aud", or one of its entries
  int leeway_seconds = 30;                 // clock skew tolerated on exp, nbf and iat
};

// The claims of a verified (or to-be-signed) token. Add a member here, in sign_jwt and in
// verify_jwt to carry another claim.
struct JwtClaims {
  std::string subject;               // "sub": the user id
  std::string token_id;              // "jti": unique per token, 128 random bits when we issue
  Millis issued_at = 0;              // "iat", in ms (NumericDate seconds on the wire)
  Millis expires_at = 0;             // "exp", in ms
  std::optional<Millis> not_before;  // "nbf", in ms; we never issue it
};

// Claims for a new token of `subject`: iat = now, exp = now + lifetime, a fresh random jti.
// Throws std::runtime_error when libsodium cannot be initialised.
JwtClaims new_jwt_claims(std::string subject, Millis now, Millis lifetime);

// The compact JWS of `claims` plus "iss" and "aud" from `options`. Times are written as
// whole seconds (rounded down).
std::string sign_jwt(const JwtClaims& claims, std::string_view secret, const JwtOptions& options);

// The claims of `token` when it is valid at `now` under the profile above, else
// ErrorKind::unauthorized with a detail saying why (malformed token, unsupported algorithm,
// bad signature, expired, not yet valid, wrong issuer or audience, ...). The signature is
// checked before any claim: nothing unauthenticated is trusted. An empty secret verifies
// nothing.
Result<JwtClaims> verify_jwt(std::string_view token, std::string_view secret, Millis now,
                             const JwtOptions& options);

}  // namespace todo

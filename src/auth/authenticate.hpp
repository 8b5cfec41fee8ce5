#pragma once
// Who is calling: the bearer token (Authorization header) or, for browsers, the HttpOnly
// session cookie. Cookie-authenticated unsafe requests must come from our own origin
// (defence against cross-site request forgery on top of SameSite=Lax).
#include <string>

#include "auth/jwt.hpp"
#include "core/error.hpp"
#include "http/types.hpp"

namespace todo {

inline constexpr const char* kSessionCookie = "todo_session";

// The claims of the caller's token: the bearer token, else the session cookie, verified by
// verify_jwt with `secret` and `options`; else 401 (the detail says why), or 403 for a
// cross-site cookie request. Whether the session was revoked since is the Authenticator's
// question (auth/authenticator.hpp): routes ask it, not this.
Result<JwtClaims> authenticate_claims(const http::RequestContext& ctx, const std::string& secret,
                                      const JwtOptions& options);

std::string session_cookie(const std::string& token, int max_age_seconds, bool secure);
std::string clear_session_cookie(bool secure);

}  // namespace todo

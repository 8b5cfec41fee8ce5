#pragma once
// Who is calling: the bearer token (Authorization header) or, for browsers, the HttpOnly
// session cookie. Cookie-authenticated unsafe requests must come from our own origin
// (defence against cross-site request forgery on top of SameSite=Lax); bearer requests are
// not subject to it (a browser never adds a bearer token by itself).
//
// Our own origin (RFC 6454 §4): the scheme is "https" with --cookie-secure (the site is
// served over HTTPS: browsers then send the cookie over HTTPS only) or when a trusted proxy
// says so (X-Forwarded-Proto: https, RequestContext::forwarded_proto), else "http" (this
// server speaks no TLS itself); the host and port are those of the Host field the request
// was sent with, a missing port being the scheme's default (80 for http, 443 for https).
#include <string>
#include <string_view>

#include "auth/jwt.hpp"
#include "auth/verified_tokens.hpp"
#include "core/error.hpp"
#include "http/types.hpp"

namespace todo {

inline constexpr const char* kSessionCookie = "todo_session";

// The claims of the caller's token: the bearer token, else the session cookie, verified by
// verify_jwt with `secret` and `options`; else 401 (the detail says why), or 403 for a
// cross-site cookie request. Whether the session was revoked since is the Authenticator's
// question (auth/authenticator.hpp): routes ask it, not this.
// `https_origin`: --cookie-secure (see above). `verified` (may be null): tokens verified
// earlier with this `secret` and `options` (auth/verified_tokens.hpp), consulted before
// verify_jwt and given every token it accepts.
Result<JwtClaims> authenticate_claims(const http::RequestContext& ctx, const std::string& secret,
                                      const JwtOptions& options, bool https_origin = false,
                                      auth::VerifiedTokens* verified = nullptr);

// The origin check of a cookie-authenticated unsafe request: true when `origin` (the Origin
// field value, RFC 6454 §7) is our own origin — scheme `our_scheme` ("http" or "https"), the
// host and port of `host` (the Host field, RFC 9110 §7.2). Schemes and hosts compare
// case-insensitively, ports by number with the scheme's default filled in
// (http://h == http://h:80). Refused: "null" (RFC 6454 §7.3: an opaque origin), another
// scheme, host or port, a Host with userinfo, and an Origin that is not a serialized origin
// (with a path, query, fragment or userinfo). Pure.
bool is_own_origin(std::string_view origin, std::string_view host, std::string_view our_scheme);

// How an authenticated request proved who it is, for the "source" of the events it causes
// (events/task_event.hpp): "api" when it carried an Authorization header (a bearer token:
// authenticate_claims takes that before any cookie), else "web" (the browser's session
// cookie). Call only after authentication succeeded.
inline const char* credential_source(const http::Request& request) {
  return request.find(http::beast_http::field::authorization) != request.end() ? "api" : "web";
}

std::string session_cookie(const std::string& token, int max_age_seconds, bool secure);
std::string clear_session_cookie(bool secure);

}  // namespace todo

#pragma once
// Who is calling: the bearer token (Authorization header) or, for browsers, the HttpOnly
// session cookie. Cookie-authenticated unsafe requests must come from our own origin
// (defence against cross-site request forgery on top of SameSite=Lax).
#include <string>

#include "core/error.hpp"
#include "http/types.hpp"

namespace todo {

inline constexpr const char* kSessionCookie = "todo_session";

// The authenticated user id, or 401.
Result<std::string> authenticate(const http::RequestContext& ctx, const std::string& secret);

// For /api/{user_id}/...: the authenticated user must be {user_id} (401, else 403).
Result<std::string> authorize_path_user(const http::RequestContext& ctx, const std::string& secret);

std::string session_cookie(const std::string& token, int max_age_seconds, bool secure);
std::string clear_session_cookie(bool secure);

}  // namespace todo

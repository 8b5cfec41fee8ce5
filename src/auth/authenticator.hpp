#pragma once
// Authenticator: verifies who calls (ARCHITECTURE.md §3) and issues session tokens. Every
// role has one (the audit role verifies the tokens the api role issued), built by serve from
// the token settings of the core configuration and shared read-only by every module with
// user routes.
//
// Credentials: `Authorization: Bearer <JWT>` or, for browsers, the HttpOnly session cookie
// (auth/authenticate.hpp). Thread safety: const methods, callable from any thread.
#include <string>

#include "auth/user.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "http/types.hpp"

namespace todo::auth {

struct TokenOptions {
  std::string secret;  // HS256 key, at least 32 bytes, shared by every role
  int ttl_seconds = 24 * 3600;
};

class Authenticator {
 public:
  explicit Authenticator(TokenOptions options) : options_(std::move(options)) {}

  // The authenticated user id, or 401 (403 for a cross-site cookie write).
  Result<std::string> authenticate(const http::RequestContext& ctx) const;
  // For /api/{user_id}/...: the authenticated user must be {user_id} (401, else 403).
  Result<std::string> authorize_path_user(const http::RequestContext& ctx) const;
  // A new session token for `user`, valid from `now` for ttl_seconds.
  std::string issue(const User& user, Millis now) const;
  int ttl_seconds() const { return options_.ttl_seconds; }

 private:
  TokenOptions options_;
};

}  // namespace todo::auth

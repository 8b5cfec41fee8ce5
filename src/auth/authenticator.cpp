#include "auth/authenticator.hpp"

#include "auth/authenticate.hpp"
#include "auth/jwt.hpp"

namespace todo::auth {

Result<std::string> Authenticator::authenticate(const http::RequestContext& ctx) const {
  return todo::authenticate(ctx, options_.secret);
}

Result<std::string> Authenticator::authorize_path_user(const http::RequestContext& ctx) const {
  return todo::authorize_path_user(ctx, options_.secret);
}

std::string Authenticator::issue(const User& user, Millis now) const {
  return sign_jwt({user.id, now, now + Millis(options_.ttl_seconds) * 1000}, options_.secret);
}

}  // namespace todo::auth

#include "auth/authenticator.hpp"

#include "auth/authenticate.hpp"
#include "auth/jwt.hpp"

namespace todo::auth {

Result<std::string> Authenticator::authenticate(const http::RequestContext& ctx) const {
  return todo::authenticate(ctx, options_.secret, options_.jwt);
}

Result<std::string> Authenticator::authorize_path_user(const http::RequestContext& ctx) const {
  return todo::authorize_path_user(ctx, options_.secret, options_.jwt);
}

std::string Authenticator::issue(const User& user, Millis now) const {
  JwtClaims claims = new_jwt_claims(user.id, now, Millis(options_.ttl_seconds) * 1000);
  return sign_jwt(claims, options_.secret, options_.jwt);
}

}  // namespace todo::auth

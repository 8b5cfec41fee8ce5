#include "auth/authenticator.hpp"

#include "auth/authenticate.hpp"
#include "auth/jwt.hpp"

namespace todo::auth {
namespace {

// A sign-in racing an account deletion may issue a token just after the deletion committed:
// the deleted account's cutoff outlives the token lifetime by this margin.
constexpr Millis kDeletionMargin = Millis{5} * 60 * 1000;

}  // namespace

Result<JwtClaims> Authenticator::session(const http::RequestContext& ctx) const {
  auto claims = authenticate_claims(ctx, options_.secret, options_.jwt, options_.https_origin);
  if (!claims) return claims;
  if (revocations_)
    if (auto refused = revocations_->check(*claims)) return std::move(*refused);
  return claims;
}

bool Authenticator::still_valid(const JwtClaims& claims, Millis now) const {
  if (now > claims.expires_at + Millis(options_.jwt.leeway_seconds) * 1000) return false;
  return !(revocations_ && revocations_->check(claims));
}

Result<std::string> Authenticator::authenticate(const http::RequestContext& ctx) const {
  auto claims = session(ctx);
  if (!claims) return claims.error();
  return std::move(claims->subject);
}

Result<std::string> Authenticator::authorize_path_user(const http::RequestContext& ctx) const {
  auto user = authenticate(ctx);
  if (!user) return user;
  if (*user != ctx.param("user_id"))
    return Error::make(ErrorKind::forbidden, "this token cannot access another user's resources");
  return user;
}

IssuedToken Authenticator::issue_token(const std::string& user_id, Millis now) const {
  JwtClaims claims = new_jwt_claims(user_id, now, Millis(options_.ttl_seconds) * 1000);
  std::string token = sign_jwt(claims, options_.secret, options_.jwt);
  // The claims as a verifier reads them back: whole seconds.
  claims.issued_at = claims.issued_at / 1000 * 1000;
  claims.expires_at = claims.expires_at / 1000 * 1000;
  return {std::move(token), std::move(claims)};
}

TokenRevocation Authenticator::revocation_of(const JwtClaims& claims) const {
  const Millis leeway = Millis(options_.jwt.leeway_seconds) * 1000;
  return {claims.token_id, claims.subject, claims.expires_at + leeway + 1000};
}

UserCutoff Authenticator::cutoff_before(const std::string& user_id, Millis now) const {
  const Millis lifetime = Millis(options_.ttl_seconds + options_.jwt.leeway_seconds) * 1000;
  const Millis second = now / 1000 * 1000;
  return {user_id, second, second + lifetime + 1000};
}

UserCutoff Authenticator::account_deleted(const std::string& user_id, Millis now) const {
  const Millis lifetime = Millis(options_.ttl_seconds + options_.jwt.leeway_seconds) * 1000;
  return {user_id, kAccountDeleted, now + lifetime + kDeletionMargin};
}

void Authenticator::revoked(const TokenRevocation& revocation) const {
  if (revocations_) revocations_->add(revocation);
}

void Authenticator::revoked(const UserCutoff& cutoff) const {
  if (revocations_) revocations_->add(cutoff);
}

}  // namespace todo::auth

#include "auth/authenticator.hpp"

#include "auth/access_token.hpp"
#include "auth/authenticate.hpp"
#include "auth/jwt.hpp"

namespace todo::auth {
namespace {

// A sign-in racing an account deletion may issue a token just after the deletion committed:
// the deleted account's cutoff outlives the token lifetime by this margin.
constexpr Millis kDeletionMargin = Millis{5} * 60 * 1000;

// The credential of `Authorization: Bearer <credential>` (RFC 6750 §2.1), or "".
std::string_view bearer_credential(const http::Request& req) {
  auto auth = req.find(http::beast_http::field::authorization);
  if (auth == req.end()) return {};
  std::string_view value = auth->value();
  if (value.size() < 7 || !(value.substr(0, 7) == "Bearer " || value.substr(0, 7) == "bearer "))
    return {};
  return value.substr(7);
}

Error forbidden_user() {
  return Error::make(ErrorKind::forbidden, "this token cannot access another user's resources");
}

}  // namespace

Error insufficient_scope(Scope scope) {
  Error e = Error::make(ErrorKind::forbidden, "");
  e.subtype = "insufficient-scope";
  e.title = "Insufficient scope";
  const std::string name(scope_name(scope));
  if (name.empty()) {
    e.detail =
        "personal access tokens cannot be used on this route: it needs a signed-in session "
        "(the sign-in token or the session cookie)";
    e.challenge = "Bearer error=\"insufficient_scope\"";
    return e;
  }
  e.detail = "this personal access token lacks the scope \"" + name + "\" that this route requires";
  e.members.emplace_back("required_scope", name);
  e.challenge = "Bearer error=\"insufficient_scope\", scope=\"" + name + "\"";
  return e;
}

boost::asio::awaitable<Result<Principal>> Authenticator::authorize(const http::RequestContext& ctx,
                                                                   Scope scope) const {
  co_return co_await authorize_any(ctx, static_cast<ScopeSet>(scope));
}

boost::asio::awaitable<Result<Principal>> Authenticator::authorize_any(
    const http::RequestContext& ctx, ScopeSet any_of) const {
  const std::string_view bearer = bearer_credential(ctx.request);
  const auto path_user = ctx.path_params.find("user_id");
  const bool has_path_user = path_user != ctx.path_params.end();
  if (!looks_like_access_token(bearer)) {
    auto user = has_path_user ? authorize_path_user(ctx) : authenticate(ctx);
    if (!user) co_return user.error();
    co_return Principal{std::move(*user)};
  }
  if (!access_tokens_)
    co_return invalid_access_token("personal access tokens are not accepted by this service");
  const std::string token(bearer);  // named: see storage/await.hpp on co_await temporaries
  auto principal = co_await access_tokens_->verify(token);
  if (!principal) co_return principal.error();
  // A deleted account's tokens are gone from the database, but a cached one may outlive the
  // deletion by the cache's lifetime: the revocation state knows at once.
  if (revocations_ && revocations_->cutoff_of(principal->user_id) == kAccountDeleted) {
    access_tokens_->count("revoked");
    co_return account_deleted_error();
  }
  if (has_path_user && principal->user_id != path_user->second) {
    access_tokens_->count("forbidden");
    co_return forbidden_user();
  }
  if ((principal->scopes & any_of) == 0) {
    access_tokens_->count("scope");
    // The first scope of the set (Scope::none for an empty one: sessions only).
    co_return insufficient_scope(static_cast<Scope>(any_of & (~any_of + 1)));
  }
  access_tokens_->count("ok");
  co_return principal;
}

boost::asio::awaitable<Result<std::string>> Authenticator::authorize_user(
    const http::RequestContext& ctx, Scope scope) const {
  auto principal = co_await authorize(ctx, scope);
  if (!principal) co_return principal.error();
  co_return std::move(principal->user_id);
}

Result<JwtClaims> Authenticator::session(const http::RequestContext& ctx) const {
  if (looks_like_access_token(bearer_credential(ctx.request)))
    return insufficient_scope(Scope::none);
  auto claims = authenticate_claims(ctx, options_.secret, options_.jwt, options_.https_origin,
                                    verified_.get());
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
  if (*user != ctx.param("user_id")) return forbidden_user();
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

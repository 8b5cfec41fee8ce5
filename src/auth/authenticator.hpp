#pragma once
// Authenticator: verifies who calls (ARCHITECTURE.md §3) and issues session tokens. Every
// role has one (the audit role verifies the tokens the api role issued), built by serve from
// the token settings of the core configuration and shared read-only by every module with
// user routes.
//
// Credentials: `Authorization: Bearer <JWT>` or, for browsers, the HttpOnly session cookie
// (auth/authenticate.hpp). A token that verifies is still refused when its session ended
// (sign-out, sign-out-all, password change) or its account was deleted: the process's
// RevocationState (auth/revocations.hpp) says so from memory, with no database round trip;
// auth/revocation_service.hpp keeps that state current across processes.
//
// Personal access tokens (`Authorization: Bearer tdp_…`, auth/access_token.hpp) are accepted
// only by authorize(), on routes that declare the scope they need; every other route (the
// synchronous methods below: sign-out, account, export, the token routes themselves) refuses
// them with 403, so that a leaked token can neither mint tokens nor take over the account.
//
// Thread safety: const methods, callable from any thread.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "auth/access_tokens.hpp"
#include "auth/jwt.hpp"
#include "auth/principal.hpp"
#include "auth/revocations.hpp"
#include "auth/session.hpp"
#include "auth/user.hpp"
#include "auth/verified_tokens.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "http/types.hpp"

namespace todo::auth {

struct TokenOptions {
  std::string secret;  // HS256 key, at least 32 bytes, shared by every role
  int ttl_seconds = 24 * 3600;
  JwtOptions jwt;  // issuer, audience and leeway, the same in every role
  // --cookie-secure: the site is served over HTTPS, so our own origin (the cookie CSRF check,
  // auth/authenticate.hpp) is https:// whatever the connection says.
  bool https_origin = false;
};

// A token just issued, with the claims its session record needs.
struct IssuedToken {
  std::string token;
  JwtClaims claims;
  SessionRecord session() const {
    return {claims.token_id, claims.subject, claims.issued_at, claims.expires_at};
  }
};

class Authenticator {
 public:
  // `revocations` (may be null: nothing is ever revoked, e.g. in tools and tests) must
  // outlive the Authenticator.
  // `access_tokens` (may be null: personal access tokens are refused with 401) must outlive
  // it too.
  explicit Authenticator(TokenOptions options, RevocationState* revocations = nullptr,
                         AccessTokens* access_tokens = nullptr)
      : options_(std::move(options)), revocations_(revocations), access_tokens_(access_tokens) {}

  // For the routes that personal access tokens may use (/api/{user_id}/...): the caller's principal
  // when it is {user_id} and may use `scope` (a session may use every scope). 401 for a
  // missing, invalid, expired or revoked credential (a token's with WWW-Authenticate: Bearer
  // error="invalid_token", RFC 6750 §3.1); 403 for another user's path, a cross-site cookie
  // write, or a token without `scope` (problem subtype "insufficient-scope" with the member
  // "required_scope", and error="insufficient_scope"); 503 when the database cannot tell.
  // Scope::none: sessions only. On a route without a {user_id} parameter (e.g. MCP) there
  // is no path user to match: the principal is whoever the credential says.
  boost::asio::awaitable<Result<Principal>> authorize(const http::RequestContext& ctx,
                                                      Scope scope) const;
  // For routes whose operations each check their own scope (the MCP tools): the caller's
  // principal when the credential may use at least one scope of `any_of` (a session: always).
  // The errors of authorize(); the 403 names the first scope of `any_of`.
  boost::asio::awaitable<Result<Principal>> authorize_any(const http::RequestContext& ctx,
                                                          ScopeSet any_of) const;
  // The same, for handlers that need only the user id.
  boost::asio::awaitable<Result<std::string>> authorize_user(const http::RequestContext& ctx,
                                                             Scope scope) const;

  // Sessions only (a personal access token: 403).
  // The authenticated user id, or 401 (403 for a cross-site cookie write).
  Result<std::string> authenticate(const http::RequestContext& ctx) const;
  // For /api/{user_id}/...: the authenticated user must be {user_id} (401, else 403).
  Result<std::string> authorize_path_user(const http::RequestContext& ctx) const;
  // The verified, unrevoked claims of the caller's token (sign-out needs its jti); the same
  // errors as authenticate().
  Result<JwtClaims> session(const http::RequestContext& ctx) const;
  // Whether claims that session() accepted earlier still hold at `now` (a long-lived
  // response, the SSE stream, asks now and then): not expired (with the leeway) and their
  // session not ended since. From memory, no database round trip.
  bool still_valid(const JwtClaims& claims, Millis now) const;

  // A new session token for `user_id`, valid from `now` for ttl_seconds. The caller records
  // its session (storage/session_store.hpp) in the transaction that grants it, so that
  // sign-out-all can end it by its jti.
  IssuedToken issue_token(const std::string& user_id, Millis now) const;
  int ttl_seconds() const { return options_.ttl_seconds; }

  // What ending sessions stores (storage/session_store.hpp), with expiries that outlast every
  // token they concern (the token's exp, or now + the token lifetime, plus the leeway):
  TokenRevocation revocation_of(const JwtClaims& claims) const;
  // Every session of `user_id` issued before `now` (whole seconds: the tokens' iat has no
  // finer grain; a session of this very second is ended by its jti instead).
  UserCutoff cutoff_before(const std::string& user_id, Millis now) const;
  // Every token of `user_id`, whenever issued: the account is deleted.
  UserCutoff account_deleted(const std::string& user_id, Millis now) const;

  // After the transaction that stored them committed: this process refuses them from now on
  // (the others learn it from the database, see auth/revocation_service.hpp).
  void revoked(const TokenRevocation& revocation) const;
  void revoked(const UserCutoff& cutoff) const;
  // After the transaction that revoked personal access token `id` committed (the other
  // processes learn it from the database, see auth/access_tokens.hpp).
  void access_token_revoked(const std::string& id) const {
    if (access_tokens_) access_tokens_->forget(id);
  }

 private:
  TokenOptions options_;
  RevocationState* revocations_;
  AccessTokens* access_tokens_;
  // Tokens verified lately (auth/verified_tokens.hpp): a client's next request with the same
  // token skips verify_jwt. Behind a pointer: the Authenticator stays movable.
  std::unique_ptr<VerifiedTokens> verified_ = std::make_unique<VerifiedTokens>();
};

// The 403 of a personal access token without `scope` (Scope::none: a sessions-only route).
Error insufficient_scope(Scope scope);

}  // namespace todo::auth

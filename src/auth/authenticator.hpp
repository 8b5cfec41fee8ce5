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
// Thread safety: const methods, callable from any thread.
#include <string>

#include "auth/jwt.hpp"
#include "auth/revocations.hpp"
#include "auth/session.hpp"
#include "auth/user.hpp"
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
  explicit Authenticator(TokenOptions options, RevocationState* revocations = nullptr)
      : options_(std::move(options)), revocations_(revocations) {}

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

 private:
  TokenOptions options_;
  RevocationState* revocations_;
};

}  // namespace todo::auth

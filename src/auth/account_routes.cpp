// Account routes (issue 14, items 1 and 2): POST /api/auth/sign-out-all,
// POST /api/auth/change-password, DELETE /api/{user_id}. Each ends sessions: the revocations
// are stored in the same transaction as the change (every other process learns them from the
// database, auth/revocation_service.hpp) and added to this process's state right after the
// commit, before the answer.
//
// Passwords are checked outside the transaction (Argon2 on the CPU pool); the transaction
// then goes ahead only if the account's hash is still the one checked (else 409: changed
// meanwhile). Wrong passwords count in the sign-in limiter like failed sign-ins
// (auth/sign_in_limiter.hpp: per account and address, never locking the account).
#include <boost/json.hpp>

#include "auth/auth_deps.hpp"
#include "auth/password.hpp"
#include "core/time.hpp"
#include "http/client_address.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "storage/session_store.hpp"
#include "storage/user_data.hpp"
#include "storage/user_store.hpp"

namespace todo::auth {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Response;
using status = http::beast_http::status;

Error changed_meanwhile() {
  return Error::make(ErrorKind::conflict,
                     "the password was changed meanwhile; try again with the current one");
}

// What ending every session of a user stored, to add to this process's state after the commit.
struct Ended {
  std::vector<TokenRevocation> tokens;
  UserCutoff cutoff;
};

// Inside the transaction: ends every live session of `user_id` by its jti (those issued in
// this very second are not covered by the cutoff), plus `also` (the caller's own token, which
// may have no session record), and stores `cutoff`.
Ended end_sessions(storage::Tx& tx, const Authenticator& authenticator, const std::string& user_id,
                   const TokenRevocation& also, const UserCutoff& cutoff, Millis now) {
  auto& sessions = storage::sessions(tx);
  Ended ended{{also}, cutoff};
  for (const auto& live : sessions.live(user_id, now)) {
    if (live.token_id == also.token_id) continue;
    JwtClaims claims;
    claims.subject = live.user_id;
    claims.token_id = live.token_id;
    claims.expires_at = live.expires_at;
    ended.tokens.push_back(authenticator.revocation_of(claims));
  }
  for (const auto& t : ended.tokens) sessions.revoke(t);
  sessions.cut_off(cutoff);
  return ended;
}

void apply(const Authenticator& authenticator, const Ended& ended) {
  for (const auto& t : ended.tokens) authenticator.revoked(t);
  authenticator.revoked(ended.cutoff);
}

Result<json::object> body_object(const http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  return std::move(body->as_object());
}

// Checks `password` (the member `field` of the body) against the account's, on the CPU pool.
// The account's credentials, or the error to answer: 401 when the account is gone, 429 after
// too many wrong passwords, 403 naming `field` when it is wrong.
asio::awaitable<Result<UserCredentials>> check_password(AuthDeps& s,
                                                        const http::RequestContext& ctx,
                                                        const std::string& user_id,
                                                        const std::string& password,
                                                        const char* field) {
  auto found_unit = [user_id](storage::Tx& tx) {
    return Result<std::optional<UserCredentials>>(storage::users(tx).find_credentials(user_id));
  };
  auto found = co_await storage::db_read<std::optional<UserCredentials>>(s.db, s.metrics,
                                                                         std::move(found_unit));
  if (!found) co_return found.error();
  if (!*found) co_return account_deleted_error();
  UserCredentials credentials = std::move(**found);
  const std::string& email = credentials.user.email;
  const std::string address = http::rate_limit_key(ctx.remote_address);  // IPv6: its /64
  if (int wait = s.sign_in_limiter.admit(email, address, SignInLimiter::Clock::now()); wait > 0)
    co_return too_many_requests("too many wrong passwords", std::chrono::seconds(wait));
  auto verify_unit = [&password, hash = credentials.password_hash] {
    return verify_password(password, hash);
  };
  auto verified = co_await s.cpu.run(std::move(verify_unit));
  if (!verified) {
    s.sign_in_limiter.not_checked(email, address, SignInLimiter::Clock::now());
    co_return verified.error();
  }
  if (!*verified) {
    s.sign_in_limiter.failed(email, address, SignInLimiter::Clock::now());
    co_return Error::field(ErrorKind::forbidden, field, "is not the account's password");
  }
  s.sign_in_limiter.succeeded(email, address, SignInLimiter::Clock::now());
  co_return credentials;
}

// POST /api/auth/sign-out-all: ends every session of the caller (this one included), for every
// transport and role. 204, the cookie cleared.
asio::awaitable<http::Reply> sign_out_all(AuthDeps& s, http::RequestContext& ctx) {
  auto claims = s.authenticator.session(ctx);
  if (!claims) co_return claims.error();
  const Millis now = now_millis();
  auto end_unit = [&auth = s.authenticator, user_id = claims->subject,
                   own = s.authenticator.revocation_of(*claims),
                   cutoff = s.authenticator.cutoff_before(claims->subject, now),
                   now](storage::Tx& tx) {
    return Result<Ended>(end_sessions(tx, auth, user_id, own, cutoff, now));
  };
  auto ended = co_await storage::db_write<Ended>(s.db, s.metrics, std::move(end_unit));
  if (!ended) co_return ended.error();
  apply(s.authenticator, *ended);
  co_return signed_out_response(ctx, s);
}

// POST /api/auth/change-password {current_password, new_password}: the sign-up policy for the
// new one; every other session ends, and this one is replaced by a new session (200
// {token, user} and the cookie, like a sign-in).
asio::awaitable<http::Reply> change_password(AuthDeps& s, http::RequestContext& ctx) {
  auto claims = s.authenticator.session(ctx);
  if (!claims) co_return claims.error();
  auto body = body_object(ctx);
  if (!body) co_return body.error();
  Error errors{ErrorKind::validation};
  std::string current = string_field(*body, "current_password", errors);
  std::string wanted = string_field(*body, "new_password", errors);
  if (!errors.errors.empty()) co_return validation_error(std::move(errors));

  const std::string user_id = claims->subject;
  auto checked = co_await check_password(s, ctx, user_id, current, "current_password");
  if (!checked) co_return checked.error();
  if (wanted == current)
    co_return Error::field(ErrorKind::validation, "new_password",
                           "must differ from the current password");
  // The sign-up policy (common-password list included) and the hash, on the CPU pool.
  auto hash_unit = [&wanted, email = checked->user.email] { return checked_hash(wanted, email); };
  auto hashed = co_await s.cpu.run(std::move(hash_unit));
  if (!hashed) co_return hashed.error();
  if (hashed->weak) co_return Error::field(ErrorKind::validation, "new_password", *hashed->weak);

  const Millis now = now_millis();
  IssuedToken issued = s.authenticator.issue_token(user_id, now);
  auto change_unit = [&auth = s.authenticator, user_id, old_hash = checked->password_hash,
                      new_hash = std::move(hashed->hash),
                      own = s.authenticator.revocation_of(*claims),
                      cutoff = s.authenticator.cutoff_before(user_id, now),
                      session = issued.session(), now](storage::Tx& tx) -> Result<Ended> {
    auto& users = storage::users(tx);
    if (!users.change_password(user_id, old_hash, new_hash))
      return users.lock_password_hash(user_id) ? changed_meanwhile() : account_deleted_error();
    Ended ended = end_sessions(tx, auth, user_id, own, cutoff, now);
    storage::sessions(tx).insert(session);  // after end_sessions: the new one stays
    return ended;
  };
  auto ended = co_await storage::db_write<Ended>(s.db, s.metrics, std::move(change_unit));
  if (!ended) co_return ended.error();
  apply(s.authenticator, *ended);
  co_return auth_response(status::ok, checked->user, issued, ctx, s);
}

// DELETE /api/{user_id} {password}: removes the account and everything stored for it through
// each feature's store (storage/user_data.hpp), and refuses its tokens in every process. 204,
// the cookie cleared.
asio::awaitable<http::Reply> delete_account(AuthDeps& s, http::RequestContext& ctx) {
  auto user = s.authenticator.authorize_path_user(ctx);
  if (!user) co_return user.error();
  auto body = body_object(ctx);
  if (!body) co_return body.error();
  Error errors{ErrorKind::validation};
  std::string password = string_field(*body, "password", errors);
  if (!errors.errors.empty()) co_return validation_error(std::move(errors));

  const std::string user_id = *user;
  auto checked = co_await check_password(s, ctx, user_id, password, "password");
  if (!checked) co_return checked.error();

  UserCutoff deleted = s.authenticator.account_deleted(user_id, now_millis());
  auto delete_unit = [user_id, verified_hash = checked->password_hash,
                      deleted](storage::Tx& tx) -> Result<bool> {
    // Locked first: a task being inserted for the account now waits, then fails as a
    // missing reference (its answer is the deleted account's 401).
    auto current = storage::users(tx).lock_for_delete(user_id);
    if (!current) return account_deleted_error();
    if (*current != verified_hash) return changed_meanwhile();
    storage::sessions(tx).cut_off(deleted);
    return storage::erase_user_data(tx, user_id);
  };
  auto erased = co_await storage::db_write<bool>(s.db, s.metrics, std::move(delete_unit));
  if (!erased) co_return erased.error();
  s.authenticator.revoked(deleted);
  co_return signed_out_response(ctx, s);
}

}  // namespace

void add_account_routes(http::Router& router, AuthDeps& deps) {
  using http::beast_http::verb;
  router.add(verb::post, "/api/auth/sign-out-all", http::with(deps, sign_out_all));
  router.add(verb::post, "/api/auth/change-password", http::with(deps, change_password));
  router.add(verb::delete_, "/api/{user_id}", http::with(deps, delete_account));
}

}  // namespace todo::auth

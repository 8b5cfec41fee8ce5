#include "auth/auth_module.hpp"

#include <boost/json.hpp>

#include "app/platform.hpp"
#include "auth/auth_deps.hpp"
#include "auth/authenticate.hpp"
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "auth/sign_in_limiter.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "http/client_address.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"
#include "storage/session_store.hpp"
#include "storage/user_store.hpp"

namespace todo::auth {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Response;
using status = http::beast_http::status;

std::optional<std::string> email_error(std::string_view email) {
  if (email.empty()) return "is required";
  if (email.size() > 254) return "must be at most 254 characters";
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return "must be an e-mail address like name@example.com";
  auto domain = email.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
    return "must be an e-mail address like name@example.com";
  for (unsigned char c : email)
    if (c <= 0x20 || c == 0x7f) return "must not contain spaces or control characters";
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

asio::awaitable<http::Reply> sign_up(AuthDeps& s, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  if (!body->is_object())
    co_return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  const auto& obj = body->as_object();
  Error errors{ErrorKind::validation};
  std::string email = lower(trim(string_field(obj, "email", errors)));
  std::string password = string_field(obj, "password", errors);
  std::string name(trim(string_field(obj, "name", errors)));
  if (errors.errors.empty()) {
    if (auto e = email_error(email)) errors.errors.push_back({"email", *e});
    // The cheap rules here, for every field at once; the common-password list on the pool.
    if (auto e = password_form_reason(password, email)) errors.errors.push_back({"password", *e});
    if (name.empty()) errors.errors.push_back({"name", "must not be empty"});
    if (utf8_length(name) > 100)
      errors.errors.push_back({"name", "must be at most 100 characters"});
  }
  if (!errors.errors.empty()) co_return validation_error(std::move(errors));

  // Each sign-up costs an Argon2 hash and a row: limited per client address.
  const auto now = RateLimiter::Clock::now();
  const std::string client = http::rate_limit_key(ctx.remote_address);  // IPv6: its /64
  if (auto wait = s.sign_up_limiter.acquire(client, now); wait.count() > 0)
    co_return too_many_requests("too many sign-ups from this address", wait);
  auto hash_unit = [&password, &email] { return checked_hash(password, email); };
  auto hashed = co_await s.cpu.run(std::move(hash_unit));
  if (!hashed || hashed->weak) {
    s.sign_up_limiter.cancel(client, now);  // nothing was hashed or stored
    if (!hashed) co_return hashed.error();  // e.g. the pool's queue is full: 503
    co_return Error::field(ErrorKind::validation, "password", *hashed->weak);
  }
  std::string hash = std::move(hashed->hash);
  User user{random_user_id(), email, name, now_millis()};
  IssuedToken issued = s.authenticator.issue_token(user.id, user.created_at);
  // The account and its first session in one transaction.
  auto inserted_unit = [user, hash, session = issued.session()](storage::Tx& tx) {
    if (!storage::users(tx).insert(user, hash)) return Result<bool>(false);
    storage::sessions(tx).insert(session);
    return Result<bool>(true);
  };
  auto inserted = co_await storage::db_write<bool>(s.db, s.metrics, std::move(inserted_unit));
  if (!inserted) co_return inserted.error();
  if (!*inserted) co_return Error::field(ErrorKind::conflict, "email", "is already registered");
  co_return auth_response(status::created, user, issued, ctx, s);
}

asio::awaitable<http::Reply> sign_in(AuthDeps& s, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return body.error();
  if (!body->is_object())
    co_return Error::field(ErrorKind::validation, "body", "must be a JSON object");
  Error errors{ErrorKind::validation};
  std::string email = lower(trim(string_field(body->as_object(), "email", errors)));
  std::string password = string_field(body->as_object(), "password", errors);
  if (!errors.errors.empty()) co_return validation_error(std::move(errors));

  const std::string address = http::rate_limit_key(ctx.remote_address);  // IPv6: its /64
  if (int wait = s.sign_in_limiter.admit(email, address, SignInLimiter::Clock::now()); wait > 0)
    co_return too_many_requests("too many failed sign-ins", std::chrono::seconds(wait));
  auto found_unit = [email](storage::Tx& tx) {
    return Result<std::optional<UserCredentials>>(storage::users(tx).find_by_email(email));
  };
  auto found = co_await storage::db_read<std::optional<UserCredentials>>(s.db, s.metrics,
                                                                         std::move(found_unit));
  if (!found) {
    s.sign_in_limiter.not_checked(email, address, SignInLimiter::Clock::now());
    co_return found.error();
  }
  // Verify against a dummy hash when the account does not exist, so that response time
  // does not reveal which e-mails are registered.
  const std::string* hash = *found ? &(*found)->password_hash : nullptr;
  auto verify_unit = [&password, hash] {
    static const std::string dummy_hash = hash_password("not-a-real-password");  // on the pool
    return verify_password(password, hash ? *hash : dummy_hash);
  };
  auto verified = co_await s.cpu.run(std::move(verify_unit));
  if (!verified) {
    s.sign_in_limiter.not_checked(email, address, SignInLimiter::Clock::now());
    co_return verified.error();
  }
  bool ok = *verified;
  if (!ok || !*found) {
    s.sign_in_limiter.failed(email, address, SignInLimiter::Clock::now());
    co_return Error::make(ErrorKind::unauthorized, "wrong e-mail or password");
  }
  s.sign_in_limiter.succeeded(email, address, SignInLimiter::Clock::now());
  const User& user = (*found)->user;
  IssuedToken issued = s.authenticator.issue_token(user.id, now_millis());
  // Record the session, but only if the password we verified is still the account's: a
  // password change (or a deletion) committed meanwhile must not be outrun by a sign-in with
  // the old password. The row lock makes a concurrent change wait for this commit, and the
  // change then ends this session too.
  auto session_unit = [id = user.id, verified_hash = (*found)->password_hash,
                       session = issued.session()](storage::Tx& tx) {
    auto current = storage::users(tx).lock_password_hash(id);
    if (!current || *current != verified_hash) return Result<bool>(false);
    storage::sessions(tx).insert(session);
    return Result<bool>(true);
  };
  auto recorded = co_await storage::db_write<bool>(s.db, s.metrics, std::move(session_unit));
  if (!recorded) co_return recorded.error();
  if (!*recorded) co_return Error::make(ErrorKind::unauthorized, "wrong e-mail or password");
  co_return auth_response(status::ok, user, issued, ctx, s);
}

// "Who is signed in?" is a question with a normal answer when nobody is: 200 with
// {"user": null, "session": null}, as Better Auth's session route answers, for no
// credential, an invalid or expired token, and a token of a deleted account alike. A 401
// here would be logged by every browser as a failed resource on each anonymous visit.
// Only a failure to answer (the database) is an error.
asio::awaitable<http::Reply> session(AuthDeps& s, http::RequestContext& ctx) {
  const auto no_session = [&] {
    return http::json_response(status::ok, json::object{{"user", nullptr}, {"session", nullptr}},
                               ctx.request);
  };
  auto user_id = s.authenticator.authenticate(ctx);
  if (!user_id) co_return no_session();
  auto user_unit = [id = *user_id](storage::Tx& tx) {
    return Result<std::optional<User>>(storage::users(tx).find_by_id(id));
  };
  auto user = co_await storage::db_read<std::optional<User>>(s.db, s.metrics, std::move(user_unit));
  if (!user) co_return user.error();
  if (!*user) co_return no_session();
  co_return http::json_response(status::ok, json::object{{"user", user_json(**user)}}, ctx.request);
}

// Ends the caller's session for every transport and every role: its jti is stored as revoked
// (other processes learn it from the database) and refused here from the answer on. Without
// a valid session there is nothing to end: 204 all the same (and the cookie is cleared).
asio::awaitable<http::Reply> sign_out(AuthDeps& s, http::RequestContext& ctx) {
  auto claims = s.authenticator.session(ctx);
  if (!claims) {
    if (claims.error().kind == ErrorKind::forbidden) co_return claims.error();
    co_return signed_out_response(ctx, s);
  }
  TokenRevocation revocation = s.authenticator.revocation_of(*claims);
  auto revoke_unit = [revocation](storage::Tx& tx) {
    storage::sessions(tx).revoke(revocation);
    return Result<bool>(true);
  };
  auto revoked = co_await storage::db_write<bool>(s.db, s.metrics, std::move(revoke_unit));
  if (!revoked) co_return revoked.error();
  s.authenticator.revoked(revocation);
  co_return signed_out_response(ctx, s);
}

// A bucket of `per_hour` sign-ups per address, one coming back every 3600/per_hour s.
RateLimiter::Policy sign_up_policy(int per_hour) {
  RateLimiter::Policy policy;
  policy.burst = per_hour;
  policy.forget_every = std::chrono::duration_cast<RateLimiter::Duration>(
      std::chrono::duration<double>(3600.0 / std::max(1, per_hour)));
  return policy;
}

class AuthModule final : public app::Module {
 public:
  AuthModule(storage::Database& db, ops::Metrics& metrics, CpuPool& cpu,
             const Authenticator& authenticator, AuthOptions options)
      : deps_{db,
              metrics,
              cpu,
              authenticator,
              options,
              {},
              RateLimiter(sign_up_policy(options.sign_ups_per_hour))} {}
  std::string_view name() const override { return "auth"; }
  void add_routes(http::Router& router) override {
    using http::beast_http::verb;
    router.add(verb::post, "/api/auth/sign-up/email", http::with(deps_, sign_up));
    router.add(verb::post, "/api/auth/sign-in/email", http::with(deps_, sign_in));
    router.add(verb::get, "/api/auth/session", http::with(deps_, session));
    router.add(verb::post, "/api/auth/sign-out", http::with(deps_, sign_out));
    add_account_routes(router, deps_);
    add_export_routes(router, deps_);
  }

 private:
  AuthDeps deps_;
};

}  // namespace

json::object user_json(const User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"name", u.name},
          {"created_at", format_rfc3339(u.created_at)}};
}

std::string string_field(const json::object& body, const char* name, Error& errors) {
  auto* v = body.if_contains(name);
  if (!v || v->is_null()) {
    errors.errors.push_back({name, "is required"});
    return {};
  }
  if (!v->is_string()) {
    errors.errors.push_back({name, "must be a string"});
    return {};
  }
  return std::string(v->as_string());
}

Error too_many_requests(const std::string& what, RateLimiter::Duration wait) {
  const int seconds = retry_after_seconds(wait);
  Error e = Error::make(ErrorKind::too_many_requests,
                        what + "; try again in " + std::to_string(seconds) + " s");
  e.retry_after_seconds = seconds;
  return e;
}

CheckedHash checked_hash(const std::string& password, const std::string& email) {
  if (auto weak = weak_password_reason(password, email)) return {std::move(weak), {}};
  return {std::nullopt, hash_password(password)};
}

Error validation_error(Error e) {
  e.kind = ErrorKind::validation;
  std::string detail;
  for (const auto& f : e.errors) detail += (detail.empty() ? "" : "; ") + f.field + " " + f.message;
  e.detail = detail;
  return e;
}

Response auth_response(status st, const User& user, const IssuedToken& issued,
                       const http::RequestContext& ctx, const AuthDeps& s) {
  auto res = http::json_response(
      st, json::object{{"token", issued.token}, {"user", user_json(user)}}, ctx.request);
  res.set(http::beast_http::field::set_cookie,
          session_cookie(issued.token, s.authenticator.ttl_seconds(), s.options.cookie_secure));
  return res;
}

Response signed_out_response(const http::RequestContext& ctx, const AuthDeps& s) {
  auto res = http::empty_response(status::no_content, ctx.request);
  res.set(http::beast_http::field::set_cookie, clear_session_cookie(s.options.cookie_secure));
  return res;
}

std::unique_ptr<app::ModuleSpec> module_spec() {
  return std::make_unique<app::FunctionSpec<AuthOptions>>(
      "auth", "Accounts (auth module)",
      [](app::OptionGroup& group, AuthOptions& o) {
        group.integer("--sign-ups-per-hour", "TODO_SIGN_UPS_PER_HOUR", o.sign_ups_per_hour,
                      "Sign-ups one client address may make: a burst of this many, then this "
                      "many per hour; past it 429 with Retry-After",
                      1, 1000000);
      },
      nullptr,
      [](app::Platform& p, const AuthOptions& o) -> std::unique_ptr<app::Module> {
        check_password_dictionary();  // refuse to start without the common-password list
        AuthOptions options = o;
        options.cookie_secure = p.config.cookie_secure;
        return std::make_unique<AuthModule>(p.db, p.metrics, p.cpu, p.authenticator, options);
      });
}

}  // namespace todo::auth

#include "auth/auth_routes.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "auth/authenticate.hpp"
#include "auth/jwt.hpp"
#include "auth/password.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "storage/await.hpp"

namespace todo {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Response;
using status = http::beast_http::status;

using http::problem;

json::object user_json(const User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"name", u.name},
          {"created_at", format_rfc3339(u.created_at)}};
}

// Runs fn on the CPU pool and comes back to the caller's executor.
template <class Fn>
asio::awaitable<std::invoke_result_t<Fn>> on_cpu_pool(Services& s, Fn&& fn) {
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(s.cpu_pool, asio::use_awaitable);
  auto result = fn();
  co_await asio::post(home, asio::use_awaitable);
  co_return result;
}

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

// Reads a string member; records a field error when it is missing or not a string.
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

Response auth_response(status st, const User& user, const std::string& token,
                       const http::RequestContext& ctx, const Config& config) {
  auto res = http::json_response(st, json::object{{"token", token}, {"user", user_json(user)}},
                                 ctx.request);
  res.set(http::beast_http::field::set_cookie,
          session_cookie(token, config.jwt_ttl_seconds, config.cookie_secure));
  return res;
}

std::string issue_token(const User& user, const Config& config) {
  Millis now = now_millis();
  return sign_jwt({user.id, now, now + Millis(config.jwt_ttl_seconds) * 1000}, config.jwt_secret);
}

Error validation_error(Error e) {
  e.kind = ErrorKind::validation;
  std::string detail;
  for (const auto& f : e.errors) detail += (detail.empty() ? "" : "; ") + f.field + " " + f.message;
  e.detail = detail;
  return e;
}

asio::awaitable<Response> sign_up(Services& s, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return problem(body.error(), ctx);
  if (!body->is_object())
    co_return problem(Error::field(ErrorKind::validation, "body", "must be a JSON object"), ctx);
  const auto& obj = body->as_object();
  Error errors{ErrorKind::validation};
  std::string email = lower(trim(string_field(obj, "email", errors)));
  std::string password = string_field(obj, "password", errors);
  std::string name(trim(string_field(obj, "name", errors)));
  if (errors.errors.empty()) {
    if (auto e = email_error(email)) errors.errors.push_back({"email", *e});
    if (auto e = weak_password_reason(password, email)) errors.errors.push_back({"password", *e});
    if (name.empty()) errors.errors.push_back({"name", "must not be empty"});
    if (utf8_length(name) > 100)
      errors.errors.push_back({"name", "must be at most 100 characters"});
  }
  if (!errors.errors.empty()) co_return problem(validation_error(std::move(errors)), ctx);

  std::string hash = co_await on_cpu_pool(s, [&] { return hash_password(password); });
  User user{random_user_id(), email, name, now_millis()};
  auto inserted_unit = [user, hash](storage::Tx& tx) {
    return Result<bool>(tx.insert_user(user, hash));
  };
  auto inserted = co_await storage::db_write<bool>(s.db, s.metrics, std::move(inserted_unit));
  if (!inserted) co_return problem(inserted.error(), ctx);
  if (!*inserted)
    co_return problem(Error::field(ErrorKind::conflict, "email", "is already registered"), ctx);
  co_return auth_response(status::created, user, issue_token(user, s.config), ctx, s.config);
}

asio::awaitable<Response> sign_in(Services& s, http::RequestContext& ctx) {
  auto body = http::parse_json_body(ctx.request);
  if (!body) co_return problem(body.error(), ctx);
  if (!body->is_object())
    co_return problem(Error::field(ErrorKind::validation, "body", "must be a JSON object"), ctx);
  Error errors{ErrorKind::validation};
  std::string email = lower(trim(string_field(body->as_object(), "email", errors)));
  std::string password = string_field(body->as_object(), "password", errors);
  if (!errors.errors.empty()) co_return problem(validation_error(std::move(errors)), ctx);

  auto now = SignInLimiter::Clock::now();
  if (int wait = s.sign_in_limiter.retry_after(email, ctx.remote_address, now); wait > 0) {
    Error e = Error::make(ErrorKind::too_many_requests,
                          "too many failed sign-ins; try again in " + std::to_string(wait) + " s");
    e.retry_after_seconds = wait;
    co_return problem(e, ctx);
  }
  auto found_unit = [email](storage::Tx& tx) {
    return Result<std::optional<UserCredentials>>(tx.find_user_by_email(email));
  };
  auto found = co_await storage::db_read<std::optional<UserCredentials>>(s.db, s.metrics,
                                                                         std::move(found_unit));
  if (!found) co_return problem(found.error(), ctx);
  // Verify against a dummy hash when the account does not exist, so that response time
  // does not reveal which e-mails are registered.
  const std::string* hash = *found ? &(*found)->password_hash : nullptr;
  bool ok = co_await on_cpu_pool(s, [&] {
    static const std::string dummy_hash = hash_password("not-a-real-password");  // on the pool
    return verify_password(password, hash ? *hash : dummy_hash);
  });
  if (!ok || !*found) {
    s.sign_in_limiter.record_failure(email, ctx.remote_address, SignInLimiter::Clock::now());
    co_return problem(Error::make(ErrorKind::unauthorized, "wrong e-mail or password"), ctx);
  }
  s.sign_in_limiter.record_success(email);
  const User& user = (*found)->user;
  co_return auth_response(status::ok, user, issue_token(user, s.config), ctx, s.config);
}

// "Who is signed in?" is a question with a normal answer when nobody is: 200 with
// {"user": null, "session": null}, as Better Auth's session route answers, for no
// credential, an invalid or expired token, and a token of a deleted account alike. A 401
// here would be logged by every browser as a failed resource on each anonymous visit.
// Only a failure to answer (the database) is an error.
asio::awaitable<Response> session(Services& s, http::RequestContext& ctx) {
  const auto no_session = [&] {
    return http::json_response(status::ok, json::object{{"user", nullptr}, {"session", nullptr}},
                               ctx.request);
  };
  auto user_id = authenticate(ctx, s.config.jwt_secret);
  if (!user_id) co_return no_session();
  auto user_unit = [id = *user_id](storage::Tx& tx) {
    return Result<std::optional<User>>(tx.find_user_by_id(id));
  };
  auto user = co_await storage::db_read<std::optional<User>>(s.db, s.metrics, std::move(user_unit));
  if (!user) co_return problem(user.error(), ctx);
  if (!*user) co_return no_session();
  co_return http::json_response(status::ok, json::object{{"user", user_json(**user)}}, ctx.request);
}

asio::awaitable<Response> sign_out(Services& s, http::RequestContext& ctx) {
  auto res = http::empty_response(status::no_content, ctx.request);
  res.set(http::beast_http::field::set_cookie, clear_session_cookie(s.config.cookie_secure));
  co_return res;
}

}  // namespace

void register_auth_routes(http::Router& router, Services& s) {
  using http::beast_http::verb;
  router.add(verb::post, "/api/auth/sign-up/email", http::with(s, sign_up));
  router.add(verb::post, "/api/auth/sign-in/email", http::with(s, sign_in));
  router.add(verb::get, "/api/auth/session", http::with(s, session));
  router.add(verb::post, "/api/auth/sign-out", http::with(s, sign_out));
}

}  // namespace todo

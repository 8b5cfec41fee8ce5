#pragma once
// What the auth module's handlers share (auth_module.cpp: sign-up/in/session/sign-out;
// account_routes.cpp: sign-out-all, change-password, account deletion; export_routes.cpp:
// the data export). Internal to the module.
#include <boost/json.hpp>

#include "auth/auth_module.hpp"
#include "auth/authenticate.hpp"
#include "auth/authenticator.hpp"
#include "auth/sign_in_limiter.hpp"
#include "core/cpu_pool.hpp"
#include "core/rate_limiter.hpp"
#include "http/router.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::auth {

struct AuthDeps {
  storage::Database& db;
  ops::Metrics& metrics;
  CpuPool& cpu;
  const Authenticator& authenticator;
  AuthOptions options;
  SignInLimiter sign_in_limiter;  // also counts wrong passwords on the account routes
  RateLimiter sign_up_limiter;    // per client address: AuthOptions::sign_ups_per_hour
};

// 429 with Retry-After: "<what>; try again in N s".
Error too_many_requests(const std::string& what, RateLimiter::Duration wait);

// A new password checked against the policy (auth/password.hpp) and, when it passes, its
// Argon2id hash. Both are CPU work: run on the CPU pool.
struct CheckedHash {
  std::optional<std::string> weak;  // why the password is refused
  std::string hash;                 // when it is not
};
CheckedHash checked_hash(const std::string& password, const std::string& email);

boost::json::object user_json(const User& u);

// Reads a string member; records a field error when it is missing or not a string.
std::string string_field(const boost::json::object& body, const char* name, Error& errors);

// A 422 whose detail lists its field errors.
Error validation_error(Error e);

// The answer of a sign-up, sign-in or password change: the new session token, as JSON and as
// the cookie.
http::Response auth_response(http::beast_http::status st, const User& user,
                             const IssuedToken& issued, const http::RequestContext& ctx,
                             const AuthDeps& s);

// 204 that also clears the session cookie (sign-out, sign-out-all, account deletion).
http::Response signed_out_response(const http::RequestContext& ctx, const AuthDeps& s);

// POST /api/auth/sign-out-all, POST /api/auth/change-password, DELETE /api/{user_id}
// (account_routes.cpp) and GET /api/{user_id}/export (export_routes.cpp).
void add_account_routes(http::Router& router, AuthDeps& deps);
void add_export_routes(http::Router& router, AuthDeps& deps);

}  // namespace todo::auth

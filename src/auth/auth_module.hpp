#pragma once
// auth: the account routes (ARCHITECTURE.md §3) — POST /api/auth/sign-up/email,
// POST /api/auth/sign-in/email, GET /api/auth/session, POST /api/auth/sign-out.
// Passwords are hashed with Argon2id, and checked against the common-password list, on the
// CPU pool (core/cpu_pool.hpp), never on an I/O thread; failed sign-ins are slowed down
// (auth/sign_in_limiter.hpp) and sign-ups are limited per client address (a token bucket,
// core/rate_limiter.hpp): both answer 429 with Retry-After. Token checks for every other
// route are the Authenticator's (auth/authenticator.hpp), which every role has.
// Options: --sign-ups-per-hour. Whether the session cookie is Secure is the core option
// --cookie-secure (config/config.hpp). No workers.
#include <memory>

#include "app/module.hpp"

namespace todo::auth {

struct AuthOptions {
  bool cookie_secure = false;  // mark the session cookie Secure: the core --cookie-secure
  // Sign-ups one client address may make: a burst of this many, then this many per hour
  // (one every 3600/N seconds). Past it: 429 with Retry-After.
  int sign_ups_per_hour = 20;
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::auth

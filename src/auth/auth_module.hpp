#pragma once
// auth: the account routes (ARCHITECTURE.md §3) — POST /api/auth/sign-up/email,
// POST /api/auth/sign-in/email, GET /api/auth/session, POST /api/auth/sign-out.
// Passwords are hashed with Argon2id on the CPU pool (core/cpu_pool.hpp), never on an I/O
// thread; failed sign-ins are slowed down (auth/sign_in_limiter.hpp). Token checks for every
// other route are the Authenticator's (auth/authenticator.hpp), which every role has.
// Options: --cookie-secure. No workers.
#include <memory>

#include "app/module.hpp"

namespace todo::auth {

struct AuthOptions {
  bool cookie_secure = false;  // mark the session cookie Secure (behind HTTPS)
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::auth

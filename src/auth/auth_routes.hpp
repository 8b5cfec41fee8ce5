#pragma once
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo {
// POST /api/auth/sign-up/email, POST /api/auth/sign-in/email, GET /api/auth/session,
// POST /api/auth/sign-out (ARCHITECTURE.md §3).
void register_auth_routes(http::Router& router, Services& services);
}  // namespace todo

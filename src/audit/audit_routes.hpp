#pragma once
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo::audit {
// GET /api/{user_id}/audit: the user's events, newest first (ARCHITECTURE.md §3).
void register_audit_routes(http::Router& router, Services& services);
}  // namespace todo::audit

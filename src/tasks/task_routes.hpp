#pragma once
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo {
// /api/{user_id}/tasks and /api/{user_id}/tasks/{id}[/complete] (ARCHITECTURE.md §3).
void register_task_routes(http::Router& router, Services& services);
}  // namespace todo

#pragma once
#include "app/services.hpp"
#include "http/router.hpp"

namespace todo {
// GET /healthz (alive), /readyz (database reachable, migrations applied, queues sane),
// /metrics (Prometheus text), /openapi.json.
void register_ops_routes(http::Router& router, Services& services);
}  // namespace todo

#pragma once
// ops: GET /healthz (alive), GET /readyz (every readiness check of the role: database
// reachable, migrations applied, and each module's own, e.g. the outbox backlog), GET
// /metrics (Prometheus text, with the database pool gauges), GET /openapi.json.
// Every role mounts it. No options, no workers.
#include <memory>

#include "app/module.hpp"

namespace todo::ops {

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::ops

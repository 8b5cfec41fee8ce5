#pragma once
// relay: the outbox relay as a module (bus/outbox_relay.hpp). In roles that write events (all,
// api) its worker hands every outbox row to the role's consumers (embedded bus) or to the
// Dapr sidecar (--bus=dapr: bus/dapr/dapr_publisher.hpp); on PostgreSQL it claims its
// batches, so api replicas can share one outbox, and LISTEN todo_outbox wakes it when another
// replica releases users. Readiness: "outbox" is degraded (still 200) when an undelivered
// event is older than --outbox-ready-max-age.
// Options: --outbox-ready-max-age. Threads: the relay's, one per target, and the LISTEN thread.
#include <memory>

#include "app/module.hpp"

namespace todo::bus {

struct RelayModuleOptions {
  int ready_max_age_seconds = 60;  // /readyz reports degraded when an event waits longer
};

std::unique_ptr<app::ModuleSpec> relay_module_spec();

}  // namespace todo::bus

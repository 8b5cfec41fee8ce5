#pragma once
// tasks: /api/{user_id}/tasks and /api/{user_id}/tasks/{id}[/complete] (ARCHITECTURE.md §3).
// Every change writes its event into the outbox in the same transaction
// (bus/outbox_writer.hpp). Options: --list-cache-mb (SQLite only: recent list answers per
// user, invalidated by every write). No workers.
#include <memory>

#include "app/module.hpp"

namespace todo::tasks {

struct TaskOptions {
  int list_cache_mb = 32;  // SQLite only; 0 disables
};

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::tasks

#pragma once
// recurrence: next occurrences of recurring tasks (the consumer "recurrence" of task-events,
// recurrence/recurrence_consumer.hpp) and GET /api/{user_id}/recurrence/preview
// (recurrence/preview.hpp). No options, no workers: the embedded bus or Dapr drives the
// consumer. README.md beside this file says how series behave.
#include <memory>

#include "app/module.hpp"

namespace todo::recurrence {

std::unique_ptr<app::ModuleSpec> module_spec();

}  // namespace todo::recurrence

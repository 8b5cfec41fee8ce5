#pragma once
// Task events (ARCHITECTURE.md §4): built in the task change's transaction and stored in
// the outbox; the relay (bus/) delivers them. Pure functions, unit-tested.
#include <string>
#include <string_view>

#include "storage/outbox_store.hpp"
#include "tasks/task.hpp"

namespace todo {

enum class EventType { created, updated, completed, deleted };

inline constexpr std::string_view kTaskEventsTopic = "task-events";
inline constexpr int kEventSchemaVersion = 1;

const char* event_type_name(EventType type);
bool is_event_type(std::string_view name);

// completed when the change turned completed false -> true; updated otherwise (including
// un-completing, which the seed's schema reports as updated with completed: false).
EventType change_event_type(const Task& before, const Task& after);

// The outbox row for one operation: a fresh UUID v7 event id and the payload
// {event_id, event_type, timestamp, user_id, task_id, task_data (full snapshot),
//  schema_version, task_version, source}. For deleted, `task` is the snapshot before deletion.
// `source` says who made the change (additive field, events/README.md): "web" (the browser's
// session cookie), "api" (a bearer token); empty leaves the field out (a change the platform
// made itself, e.g. a recurring task's next occurrence).
storage::OutboxRow make_task_event(EventType type, const Task& task, Millis now,
                                   std::string_view source = {});

}  // namespace todo

#include "tasks/task_service.hpp"

#include "events/task_event.hpp"
#include "storage/idempotency_store.hpp"
#include "storage/outbox_store.hpp"
#include "storage/task_store.hpp"
#include "tasks/task_validation.hpp"
#include "tasks/task_writer.hpp"

namespace todo {
namespace {

Error not_found(std::int64_t id) {
  return Error::make(ErrorKind::not_found, "task " + std::to_string(id) + " does not exist");
}

// Loads the caller's task and checks If-Match.
Result<Task> load_for_change(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                             std::optional<std::int64_t> expected_version) {
  auto task = storage::tasks(tx).lock(user_id, id);
  if (!task) return not_found(id);
  if (expected_version && *expected_version != task->version) {
    Error e = Error::make(ErrorKind::precondition_failed,
                          "task " + std::to_string(id) + " is at version " +
                              std::to_string(task->version) + ", not " +
                              std::to_string(*expected_version) + "; reload it and retry");
    e.errors.push_back({"If-Match", "does not match the current version"});
    return e;
  }
  return std::move(*task);
}

void publish(storage::Tx& tx, EventType type, const Task& task, Millis now,
             std::uint32_t subscribers) {
  if (subscribers != 0) storage::outbox(tx).insert(make_task_event(type, task, now), subscribers);
}

// Writes the changed task and its event.
Task save_change(storage::Tx& tx, const Task& before, Task after, Millis now,
                 std::uint32_t subscribers) {
  storage::tasks(tx).update(after);
  publish(tx, change_event_type(before, after), after, now, subscribers);
  return after;
}

}  // namespace

Task with_fields(Task task, const TaskFields& f, Millis now) {
  if (f.completed && !task.completed) task.completed_at = now;
  if (!f.completed) task.completed_at.reset();
  task.title = f.title;
  task.description = f.description;
  task.completed = f.completed;
  task.priority = f.priority;
  task.tags = f.tags;
  task.due_at = f.due_at;
  task.remind_at = f.remind_at;
  task.recurrence = f.recurrence;
  task.timezone = f.timezone;
  task.updated_at = std::max(now, task.updated_at);
  task.version += 1;
  return task;
}

Result<CreateOutcome> create_task(storage::Tx& tx, const std::string& user_id,
                                  const TaskFields& fields,
                                  const std::optional<IdempotencyRequest>& idem, Millis now,
                                  std::uint32_t subscribers) {
  if (idem) {
    if (auto previous = storage::idempotency_keys(tx).find(user_id, idem->key)) {
      if (previous->request_fingerprint != idem->fingerprint)
        return Error::field(ErrorKind::validation, "Idempotency-Key",
                            "was already used for a different request");
      return CreateOutcome{previous->status, previous->body, 0, true};
    }
  }
  Task task = storage::tasks(tx).insert(user_id, fields, now);
  publish(tx, EventType::created, task, now, subscribers);
  CreateOutcome outcome{201, task_json_text(task), task.version, false};
  if (idem && !storage::idempotency_keys(tx).save(user_id, idem->key,
                                                  {idem->fingerprint, 201, outcome.body}, now)) {
    // Another request with this key committed first: undo ours (the Database re-runs this
    // unit in a fresh transaction, where the stored response is found and replayed).
    storage::DbError race("Idempotency-Key stored concurrently; retrying to replay it");
    race.transient = true;
    throw race;
  }
  return outcome;
}

Result<Task> replace_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                          const TaskFields& fields, std::optional<std::int64_t> expected_version,
                          Millis now, std::uint32_t subscribers) {
  auto task = load_for_change(tx, user_id, id, expected_version);
  if (!task) return task;
  return save_change(tx, *task, with_fields(*task, fields, now), now, subscribers);
}

Result<Task> patch_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                        const TaskPatch& patch, std::optional<std::int64_t> expected_version,
                        Millis now, std::uint32_t subscribers) {
  auto task = load_for_change(tx, user_id, id, expected_version);
  if (!task) return task;
  return save_change(tx, *task, with_fields(*task, apply_patch(*task, patch), now), now,
                     subscribers);
}

Result<Task> complete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                           std::optional<bool> completed,
                           std::optional<std::int64_t> expected_version, Millis now,
                           std::uint32_t subscribers) {
  auto task = load_for_change(tx, user_id, id, expected_version);
  if (!task) return task;
  TaskPatch patch;
  patch.completed = completed.value_or(!task->completed);
  return save_change(tx, *task, with_fields(*task, apply_patch(*task, patch), now), now,
                     subscribers);
}

Status delete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                   std::optional<std::int64_t> expected_version, Millis now,
                   std::uint32_t subscribers) {
  auto task = load_for_change(tx, user_id, id, expected_version);
  if (!task) return task.error();
  storage::tasks(tx).remove(user_id, id);
  publish(tx, EventType::deleted, *task, now, subscribers);
  return Unit{};
}

}  // namespace todo

#include "tasks/task_service.hpp"

#include "auth/session.hpp"
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

// Loads (and locks) the caller's task and checks the preconditions on it.
Result<Task> load_for_change(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                             const ChangeCondition& condition) {
  auto task = storage::tasks(tx).lock(user_id, id);
  if (!task) return not_found(id);
  if (auto e = precondition_error(*task, condition.http)) return std::move(*e);
  return std::move(*task);
}

void publish(storage::Tx& tx, EventType type, const Task& task, Millis now,
             const storage::EventMask& subscribers, std::string_view source) {
  if (subscribers.none()) return;
  storage::OutboxRow row = make_task_event(type, task, now, source);
  storage::outbox(tx).insert(row, subscribers(row));
}

// Writes the changed task and its event.
Task save_change(storage::Tx& tx, const Task& before, Task after, Millis now,
                 const storage::EventMask& subscribers, std::string_view source) {
  storage::tasks(tx).update(after);
  publish(tx, change_event_type(before, after), after, now, subscribers, source);
  return after;
}

}  // namespace

std::string task_etag(std::int64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

std::int64_t task_last_modified(Millis updated_at) {
  return updated_at >= 0 ? updated_at / 1000 : (updated_at - 999) / 1000;
}

ChangeCondition::ChangeCondition(std::int64_t if_match_version) {
  http.if_match = http::EntityTagCondition{false, {{task_etag(if_match_version), false}}};
}

std::optional<Error> precondition_error(const Task& task, const http::Preconditions& p,
                                        const char** not_modified) {
  if (p.empty()) return std::nullopt;
  const http::PreconditionResult r =
      http::evaluate_preconditions(p, task_etag(task.version), task_last_modified(task.updated_at));
  if (r.verdict == http::Verdict::proceed) return std::nullopt;
  if (r.verdict == http::Verdict::not_modified && not_modified) {
    *not_modified = r.header;
    return std::nullopt;
  }
  return http::precondition_failed(
      r, "task " + std::to_string(task.id) + " is at version " + std::to_string(task.version));
}

Status check_change(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                    const ChangeCondition& condition) {
  auto task = storage::tasks(tx).find(user_id, id);  // a read: nothing is written after the check
  if (!task) return not_found(id);
  if (auto e = precondition_error(*task, condition.http)) return std::move(*e);
  return Unit{};
}

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
                                  const storage::EventMask& subscribers, std::string_view source) {
  if (idem) {
    if (auto previous = storage::idempotency_keys(tx).find(user_id, idem->key)) {
      if (previous->request_fingerprint != idem->fingerprint)
        return Error::field(ErrorKind::validation, "Idempotency-Key",
                            "was already used for a different request");
      return CreateOutcome{previous->status, previous->body, 0, 0, true};
    }
  }
  // The account may be deleted between the token check and this insert: the store's
  // foreign key then fails the unit with the deleted account's 401 (TaskStore::insert).
  Task task = storage::tasks(tx).insert(user_id, fields, now);
  publish(tx, EventType::created, task, now, subscribers, source);
  CreateOutcome outcome{201, task_json_text(task), task.version, task.updated_at, false};
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
                          const TaskFields& fields, const ChangeCondition& condition, Millis now,
                          const storage::EventMask& subscribers, std::string_view source) {
  auto task = load_for_change(tx, user_id, id, condition);
  if (!task) return task;
  return save_change(tx, *task, with_fields(*task, fields, now), now, subscribers, source);
}

Result<Task> patch_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                        const TaskPatch& patch, const ChangeCondition& condition, Millis now,
                        const storage::EventMask& subscribers, std::string_view source) {
  auto task = load_for_change(tx, user_id, id, condition);
  if (!task) return task;
  return save_change(tx, *task, with_fields(*task, apply_patch(*task, patch), now), now,
                     subscribers, source);
}

Result<Task> complete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                           std::optional<bool> completed, const ChangeCondition& condition,
                           Millis now, const storage::EventMask& subscribers,
                           std::string_view source) {
  auto task = load_for_change(tx, user_id, id, condition);
  if (!task) return task;
  TaskPatch patch;
  patch.completed = completed.value_or(!task->completed);
  return save_change(tx, *task, with_fields(*task, apply_patch(*task, patch), now), now,
                     subscribers, source);
}

Status delete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                   const ChangeCondition& condition, Millis now,
                   const storage::EventMask& subscribers, std::string_view source) {
  auto task = load_for_change(tx, user_id, id, condition);
  if (!task) return task.error();
  storage::tasks(tx).remove(user_id, id);
  publish(tx, EventType::deleted, *task, now, subscribers, source);
  return Unit{};
}

}  // namespace todo

#pragma once
// Task operations as units of work inside a database transaction (run by Database on a
// database thread). They hold the rules that span reads and writes: ownership, the
// conditional-request preconditions (RFC 9110 §13, evaluated on the locked task), completion
// timestamps, version increments, Idempotency-Key replay, and the outbox: every change writes its
// event row in the same transaction (transactional outbox), so a change is never committed without
// its event, nor an event without it.
//
// `subscribers` is the outbox mask of the change's event (storage/outbox_store.hpp EventMask):
// one bit per relay target that must receive it (bus/outbox_relay.hpp). 0 writes no event.
// `source` is the event's "source" field (events/task_event.hpp: "web", "api"; empty: none).
#include <optional>
#include <string>

#include "core/error.hpp"
#include "http/conditional.hpp"
#include "storage/outbox_store.hpp"
#include "storage/tx.hpp"
#include "tasks/task.hpp"

namespace todo {

struct IdempotencyRequest {
  std::string key;
  std::string fingerprint;  // of method, path and body
};

// The HTTP-visible outcome of a create: stored verbatim for Idempotency-Key replays.
struct CreateOutcome {
  int status = 201;
  std::string body;  // serialized task JSON
  std::int64_t version = 1;
  Millis updated_at = 0;  // for Last-Modified (0 when replayed: read it from body)
  bool replayed = false;
};

Result<CreateOutcome> create_task(storage::Tx& tx, const std::string& user_id,
                                  const TaskFields& fields,
                                  const std::optional<IdempotencyRequest>& idempotency, Millis now,
                                  const storage::EventMask& subscribers,
                                  std::string_view source = {});

// A task's validators (RFC 9110 §8.8): the strong ETag "\"<version>\"", and Last-Modified,
// updated_at in whole seconds.
std::string task_etag(std::int64_t version);
std::int64_t task_last_modified(Millis updated_at);

// What a change requires of the task's current state: the request's preconditions; or, for
// callers in code, none (std::nullopt) or one version as If-Match.
struct ChangeCondition {
  ChangeCondition() = default;
  ChangeCondition(std::nullopt_t) {}
  ChangeCondition(std::int64_t if_match_version);
  ChangeCondition(http::Preconditions preconditions) : http(std::move(preconditions)) {}
  http::Preconditions http;
};

// The preconditions evaluated on `task` (RFC 9110 §13.2.2): nullopt to go on, else the 412
// (ErrorKind::precondition_failed naming the header), or for GET/HEAD a not_modified result
// via `not_modified` (set to the header that answered 304).
std::optional<Error> precondition_error(const Task& task, const http::Preconditions& p,
                                        const char** not_modified = nullptr);

// Each change: 404 when the caller has no such task, 412 when `condition` fails on it.
Result<Task> replace_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                          const TaskFields& fields, const ChangeCondition& condition, Millis now,
                          const storage::EventMask& subscribers, std::string_view source = {});
Result<Task> patch_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                        const TaskPatch& patch, const ChangeCondition& condition, Millis now,
                        const storage::EventMask& subscribers, std::string_view source = {});
// completed: nullopt toggles.
Result<Task> complete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                           std::optional<bool> completed, const ChangeCondition& condition,
                           Millis now, const storage::EventMask& subscribers,
                           std::string_view source = {});
Status delete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                   const ChangeCondition& condition, Millis now,
                   const storage::EventMask& subscribers, std::string_view source = {});
// Only the check (a read, for db_read), for a change whose content is invalid: the
// preconditions come first (RFC 9110 §13.2.1), so a failed one answers 412 before the
// content's 4xx. Unit when the change could go on.
Status check_change(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                    const ChangeCondition& condition);

// The task with `fields` applied at `now`: completion time follows the completed flag,
// version + 1. Pure; unit-tested.
Task with_fields(Task task, const TaskFields& fields, Millis now);

}  // namespace todo

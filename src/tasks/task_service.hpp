#pragma once
// Task operations as units of work inside a database transaction (run by Database on a
// database thread). They hold the rules that span reads and writes: ownership, If-Match
// versions, completion timestamps, version increments, Idempotency-Key replay, and the
// outbox: every change writes its event row in the same transaction (transactional
// outbox), so a change is never committed without its event, nor an event without it.
//
// `subscribers` is the outbox mask: one bit per event subscriber that must receive the
// event (bus/outbox_relay.hpp). 0 writes no event.
#include <optional>
#include <string>

#include "core/error.hpp"
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
  bool replayed = false;
};

Result<CreateOutcome> create_task(storage::Tx& tx, const std::string& user_id,
                                  const TaskFields& fields,
                                  const std::optional<IdempotencyRequest>& idempotency, Millis now,
                                  std::uint32_t subscribers);

// expected_version: from If-Match; nullopt = no precondition.
Result<Task> replace_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                          const TaskFields& fields, std::optional<std::int64_t> expected_version,
                          Millis now, std::uint32_t subscribers);
Result<Task> patch_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                        const TaskPatch& patch, std::optional<std::int64_t> expected_version,
                        Millis now, std::uint32_t subscribers);
// completed: nullopt toggles.
Result<Task> complete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                           std::optional<bool> completed,
                           std::optional<std::int64_t> expected_version, Millis now,
                           std::uint32_t subscribers);
Status delete_task(storage::Tx& tx, const std::string& user_id, std::int64_t id,
                   std::optional<std::int64_t> expected_version, Millis now,
                   std::uint32_t subscribers);

// The task with `fields` applied at `now`: completion time follows the completed flag,
// version + 1. Pure; unit-tested.
Task with_fields(Task task, const TaskFields& fields, Millis now);

}  // namespace todo

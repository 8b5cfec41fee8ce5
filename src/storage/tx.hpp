#pragma once
// Tx: the repository interface. One implementation per backend (storage/sqlite,
// storage/postgres); both pass tests/unit/storage_test.cpp and the HTTP integration suite.
//
// A Tx is only ever used on a database thread, inside a transaction that the Database
// (database.hpp) opened; its methods are synchronous. Expected outcomes are return values;
// database failures throw storage::DbError, which makes the Database roll back.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "auth/user.hpp"
#include "tasks/task.hpp"

namespace todo::storage {

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
  bool transient = true;  // connection lost, busy, serialization failure: worth a retry
};

// A response remembered for an Idempotency-Key (user, key).
struct IdempotentResponse {
  std::string
      request_fingerprint;  // hash of method + path + body: a reuse with another body is a 409
  int status = 0;
  std::string body;
};

class Tx {
 public:
  virtual ~Tx() = default;

  // Users. insert_user returns false when the e-mail is taken.
  virtual bool insert_user(const User& user, std::string_view password_hash) = 0;
  virtual std::optional<UserCredentials> find_user_by_email(std::string_view email) = 0;
  virtual std::optional<User> find_user_by_id(std::string_view id) = 0;

  // Tasks. Every method filters by user_id.
  virtual Task insert_task(std::string_view user_id, const TaskFields& fields, Millis now) = 0;
  virtual std::optional<Task> find_task(std::string_view user_id, std::int64_t id) = 0;
  // find_task for a read-modify-write: the row stays locked until the transaction ends, so
  // concurrent writers (PostgreSQL has several) cannot lose each other's updates.
  virtual std::optional<Task> lock_task(std::string_view user_id, std::int64_t id) = 0;
  // Writes every field of `task` (matched on user_id and id); the caller has set
  // updated_at, completed_at and the incremented version.
  virtual void update_task(const Task& task) = 0;
  virtual bool delete_task(std::string_view user_id, std::int64_t id) = 0;
  virtual TaskPage list_tasks(std::string_view user_id, const TaskQuery& query) = 0;

  // Idempotency keys (kept 24 h; see purge_idempotency_keys).
  virtual std::optional<IdempotentResponse> find_idempotent(std::string_view user_id,
                                                            std::string_view key) = 0;
  // false when another transaction stored this key first (the caller must not keep its
  // own result: it retries and replays the stored response).
  virtual bool save_idempotent(std::string_view user_id, std::string_view key,
                               const IdempotentResponse& response, Millis now) = 0;
  virtual void purge_idempotency_keys(Millis older_than) = 0;
};

}  // namespace todo::storage

#pragma once
// Tasks and their tags (tables `tasks` and `task_tags` on SQLite; `tasks` with a text[] column
// on PostgreSQL, and a pg_trgm GIN index on search_text there). Every method filters by user_id.
// Each task row also holds `title_key` (the order of sort=title) and `search_text` (what `q`
// searches), computed in C++ by tasks/task_search.hpp so that both backends order and match
// identically. SQL: storage/sqlite/sqlite_tasks.cpp, storage/postgres/pg_tasks.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "storage/tx.hpp"
#include "tasks/task.hpp"

namespace todo::storage {

class TaskStore : public Store {
 public:
  static std::unique_ptr<TaskStore> make(Tx& tx);
  // Stores a new task (version 1, created_at = updated_at = now) and returns it with its id.
  // A user_id with no account (deleted meanwhile) throws DbError with missing_reference and
  // the answer account_deleted_error() (401), at the insert (SQLite) or at COMMIT
  // (PostgreSQL writes new tasks just before it, pg_tasks.cpp): the unit then completes with
  // that answer. Every other method sees the tasks its transaction inserted.
  Task insert(std::string_view user_id, const TaskFields& fields, Millis now) {
    return insert(user_id, fields, now, std::nullopt);
  }
  // The same for a next occurrence of a recurring series (tasks.series_id: the id of the
  // series' first task; src/recurrence).
  virtual Task insert(std::string_view user_id, const TaskFields& fields, Millis now,
                      std::optional<std::int64_t> series_id) = 0;
  virtual std::optional<Task> find(std::string_view user_id, std::int64_t id) = 0;
  // find() for a read-modify-write: the row stays locked until the transaction ends, so
  // concurrent writers (PostgreSQL has several) cannot lose each other's updates.
  virtual std::optional<Task> lock(std::string_view user_id, std::int64_t id) = 0;
  // Writes every field of `task` (matched on user_id and id); the caller has set
  // updated_at, completed_at and the incremented version, and has lock()ed the row in this
  // transaction. PostgreSQL writes it just before COMMIT (pg_tasks.cpp); every method sees it.
  virtual void update(const Task& task) = 0;
  // False when there was no such task.
  virtual bool remove(std::string_view user_id, std::int64_t id) = 0;
  // Deletes every task of the user (account deletion; no events: the account is gone);
  // returns how many.
  virtual std::int64_t remove_all(std::string_view user_id) = 0;
  // A page of the user's tasks: filters, then `query.search_terms` (each a substring of
  // search_text), ordered by (sort key, id) in the query's direction, after `query.after`.
  virtual TaskPage list(std::string_view user_id, const TaskQuery& query) = 0;
};

// make_task_store: the backend's store. fill_task_keys: the C++ step of migration
// kTaskKeysMigration (storage/migrations.hpp): computes title_key and search_text of every
// task, in the caller's transaction. Both throw DbError.
namespace sqlite {
std::unique_ptr<TaskStore> make_task_store(Handle& handle);
void fill_task_keys(Handle& handle);
}  // namespace sqlite
namespace postgres {
std::unique_ptr<TaskStore> make_task_store(Handle& handle);
void fill_task_keys(Handle& handle);
}  // namespace postgres
inline std::unique_ptr<TaskStore> TaskStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_task_store(*tx.sqlite())
                     : postgres::make_task_store(*tx.postgres());
}

inline TaskStore& tasks(Tx& tx) {
  return tx.get<TaskStore>();
}

}  // namespace todo::storage

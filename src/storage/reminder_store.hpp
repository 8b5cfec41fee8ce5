#pragma once
// Reminder jobs (table `reminder_jobs`, migration 009): one row per task that has or had a
// reminder, the embedded scheduler's queue and its memory of what fired. Keyed by task id;
// every row carries its user_id. SQL: storage/sqlite/sqlite_reminders.cpp,
// storage/postgres/pg_reminders.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

// pending: fires at fire_at; fired: its notification exists; missed: it was due while nothing
// could fire it, longer ago than the horizon; cancelled: the task was completed or its reminder
// cleared (or changed under it).
enum class ReminderState { pending, fired, missed, cancelled };
const char* reminder_state_name(ReminderState state);
std::optional<ReminderState> parse_reminder_state(std::string_view name);

struct ReminderJob {
  std::int64_t task_id = 0;
  std::string user_id;
  Millis remind_at = 0;  // the task's remind_at this job stands for (UTC ms)
  Millis fire_at = 0;    // when it fires: remind_at, or a snooze's time
  ReminderState state = ReminderState::pending;
  std::int64_t task_version = 0;  // the task version the row was last set from
};

class ReminderStore : public Store {
 public:
  static std::unique_ptr<ReminderStore> make(Tx& tx);
  // The task's job, locked for the transaction on PostgreSQL (FOR UPDATE).
  virtual std::optional<ReminderJob> find(std::int64_t task_id) = 0;
  // Inserts or replaces the job of job.task_id.
  virtual void put(const ReminderJob& job) = 0;
  // The earliest fire_at of a pending job, if any.
  virtual std::optional<Millis> next_fire_at() = 0;
  // Up to `limit` pending jobs with fire_at <= now, earliest first; on PostgreSQL locked and
  // skipping rows another transaction holds (FOR UPDATE SKIP LOCKED).
  virtual std::vector<ReminderJob> due(Millis now, int limit) = 0;
  // Account deletion (storage/user_data.hpp).
  virtual void remove_user(std::string_view user_id) = 0;

  // The distributed shape mirrors each job into the Dapr Jobs API (reminders/dapr_jobs.hpp).
  // Every put() raises the row's revision; unsynced() lists up to `limit` rows whose revision
  // the sidecar has not been told yet (with that revision), mark_synced() records it unless the
  // row changed again meanwhile.
  struct Unsynced {
    ReminderJob job;
    std::int64_t revision = 0;
  };
  virtual std::vector<Unsynced> unsynced(int limit) = 0;
  virtual void mark_synced(std::int64_t task_id, std::int64_t revision) = 0;
};

namespace sqlite {
std::unique_ptr<ReminderStore> make_reminder_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<ReminderStore> make_reminder_store(Handle& handle);
}
inline std::unique_ptr<ReminderStore> ReminderStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_reminder_store(*tx.sqlite())
                     : postgres::make_reminder_store(*tx.postgres());
}

inline ReminderStore& reminders(Tx& tx) {
  return tx.get<ReminderStore>();
}

}  // namespace todo::storage

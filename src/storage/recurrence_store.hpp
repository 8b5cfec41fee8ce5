#pragma once
// Recurring series (tables `recurrence_series` and `recurrence_next`, migration 009): each
// series' DTSTART, and which completed occurrence has brought its next one. Every method
// filters by user_id or is keyed by ids the caller read under its user.
// SQL: storage/sqlite/sqlite_recurrence.cpp, storage/postgres/pg_recurrence.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/time.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

class RecurrenceStore : public Store {
 public:
  static std::unique_ptr<RecurrenceStore> make(Tx& tx);
  // The DTSTART of series `series_id` (ms, UTC), first recorded wins: returns the stored
  // value, which is `dtstart` when the series was not known yet.
  virtual Millis series_dtstart(std::string_view user_id, std::int64_t series_id,
                                Millis dtstart) = 0;
  // Claims the right to bring the next occurrence after completed task `task_id`: true once
  // per task id ever (a second completion, a redelivery or a concurrent consumer gets false;
  // on PostgreSQL a concurrent claimer waits for the first one's transaction to end).
  virtual bool claim_next(std::string_view user_id, std::int64_t task_id, Millis now) = 0;
  // Records the task the claim brought (after claim_next returned true in this transaction).
  virtual void set_next(std::int64_t task_id, std::int64_t next_task_id) = 0;
  // Account deletion (storage/user_data.hpp).
  virtual void remove_user(std::string_view user_id) = 0;
};

namespace sqlite {
std::unique_ptr<RecurrenceStore> make_recurrence_store(Handle& handle);
}
namespace postgres {
std::unique_ptr<RecurrenceStore> make_recurrence_store(Handle& handle);
}
inline std::unique_ptr<RecurrenceStore> RecurrenceStore::make(Tx& tx) {
  return tx.sqlite() ? sqlite::make_recurrence_store(*tx.sqlite())
                     : postgres::make_recurrence_store(*tx.postgres());
}

inline RecurrenceStore& recurrence(Tx& tx) {
  return tx.get<RecurrenceStore>();
}

}  // namespace todo::storage

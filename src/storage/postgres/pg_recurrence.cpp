// PostgreSQL: recurring series (storage/recurrence_store.hpp).
#include "storage/postgres/pg_handle.hpp"
#include "storage/recurrence_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kAddSeries =
    "INSERT INTO recurrence_series (series_id, user_id, dtstart) VALUES ($1, $2, $3) "
    "ON CONFLICT (series_id) DO NOTHING";
constexpr const char* kSeriesStart =
    "SELECT dtstart FROM recurrence_series WHERE series_id = $1 AND user_id = $2";
constexpr const char* kClaimNext =
    "INSERT INTO recurrence_next (task_id, user_id, next_task_id, created_at) "
    "VALUES ($1, $2, NULL, $3) ON CONFLICT (task_id) DO NOTHING";
constexpr const char* kSetNext = "UPDATE recurrence_next SET next_task_id = $1 WHERE task_id = $2";
constexpr const char* kRemoveNext = "DELETE FROM recurrence_next WHERE user_id = $1";
constexpr const char* kRemoveSeries = "DELETE FROM recurrence_series WHERE user_id = $1";

class PgRecurrence final : public RecurrenceStore {
 public:
  explicit PgRecurrence(Handle& db) : db_(db) {}

  Millis series_dtstart(std::string_view user_id, std::int64_t series_id, Millis dtstart) override {
    db_.exec(kAddSeries, Params().add(series_id).add(user_id).add(dtstart));
    auto r = db_.exec(kSeriesStart, Params().add(series_id).add(user_id));
    return r.empty() ? dtstart : r.int64(0, 0);
  }

  bool claim_next(std::string_view user_id, std::int64_t task_id, Millis now) override {
    return db_.exec(kClaimNext, Params().add(task_id).add(user_id).add(now)).affected() == 1;
  }

  void set_next(std::int64_t task_id, std::int64_t next_task_id) override {
    db_.exec(kSetNext, Params().add(next_task_id).add(task_id));
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveNext, Params().add(user_id));
    db_.exec(kRemoveSeries, Params().add(user_id));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<RecurrenceStore> make_recurrence_store(Handle& handle) {
  return std::make_unique<PgRecurrence>(handle);
}

}  // namespace todo::storage::postgres

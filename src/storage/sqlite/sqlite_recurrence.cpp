// SQLite: recurring series (storage/recurrence_store.hpp).
#include "storage/recurrence_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kAddSeries =
    "INSERT INTO recurrence_series (series_id, user_id, dtstart) VALUES (?, ?, ?) "
    "ON CONFLICT (series_id) DO NOTHING";
constexpr const char* kSeriesStart =
    "SELECT dtstart FROM recurrence_series WHERE series_id = ? AND user_id = ?";
constexpr const char* kClaimNext =
    "INSERT INTO recurrence_next (task_id, user_id, next_task_id, created_at) "
    "VALUES (?, ?, NULL, ?) ON CONFLICT (task_id) DO NOTHING";
constexpr const char* kSetNext = "UPDATE recurrence_next SET next_task_id = ? WHERE task_id = ?";
constexpr const char* kRemoveNext = "DELETE FROM recurrence_next WHERE user_id = ?";
constexpr const char* kRemoveSeries = "DELETE FROM recurrence_series WHERE user_id = ?";

class SqliteRecurrence final : public RecurrenceStore {
 public:
  explicit SqliteRecurrence(Handle& db) : db_(db) {}

  Millis series_dtstart(std::string_view user_id, std::int64_t series_id, Millis dtstart) override {
    db_.prepare(kAddSeries).bind(1, series_id).bind(2, user_id).bind(3, dtstart).run();
    auto s = db_.prepare(kSeriesStart);
    s.bind(1, series_id).bind(2, user_id);
    return s.step() ? s.int64(0) : dtstart;
  }

  bool claim_next(std::string_view user_id, std::int64_t task_id, Millis now) override {
    db_.prepare(kClaimNext).bind(1, task_id).bind(2, user_id).bind(3, now).run();
    return db_.changes() == 1;
  }

  void set_next(std::int64_t task_id, std::int64_t next_task_id) override {
    db_.prepare(kSetNext).bind(1, next_task_id).bind(2, task_id).run();
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveNext).bind(1, user_id).run();
    db_.prepare(kRemoveSeries).bind(1, user_id).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<RecurrenceStore> make_recurrence_store(Handle& handle) {
  return std::make_unique<SqliteRecurrence>(handle);
}

}  // namespace todo::storage::sqlite

// SQLite: reminder jobs (storage/reminder_store.hpp). One writer: no row locks needed.
#include "storage/reminder_store.hpp"
#include "storage/sqlite/sqlite_handle.hpp"

namespace todo::storage::sqlite {
namespace {

constexpr const char* kJobColumns =
    "task_id, user_id, remind_at, fire_at, state, task_version FROM reminder_jobs";
constexpr const char* kPutJob =
    "INSERT INTO reminder_jobs (task_id, user_id, remind_at, fire_at, state, task_version) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (task_id) DO UPDATE SET user_id = ?2, "
    "remind_at = ?3, fire_at = ?4, state = ?5, task_version = ?6, revision = revision + 1";
constexpr const char* kNextFire = "SELECT MIN(fire_at) FROM reminder_jobs WHERE state = 'pending'";
constexpr const char* kRemoveUserJobs = "DELETE FROM reminder_jobs WHERE user_id = ?";
constexpr const char* kMarkSynced =
    "UPDATE reminder_jobs SET synced_revision = revision WHERE task_id = ?1 AND revision = ?2";

ReminderJob read_job(const Statement& s) {
  ReminderJob j;
  j.task_id = s.int64(0);
  j.user_id = s.text(1);
  j.remind_at = s.int64(2);
  j.fire_at = s.int64(3);
  j.state = parse_reminder_state(s.text(4)).value_or(ReminderState::cancelled);
  j.task_version = s.int64(5);
  return j;
}

class SqliteReminders final : public ReminderStore {
 public:
  explicit SqliteReminders(Handle& db) : db_(db) {}

  std::optional<ReminderJob> find(std::int64_t task_id) override {
    auto s = db_.prepare(std::string("SELECT ") + kJobColumns + " WHERE task_id = ?");
    s.bind(1, task_id);
    if (!s.step()) return std::nullopt;
    return read_job(s);
  }

  void put(const ReminderJob& j) override {
    db_.prepare(kPutJob)
        .bind(1, j.task_id)
        .bind(2, j.user_id)
        .bind(3, j.remind_at)
        .bind(4, j.fire_at)
        .bind(5, reminder_state_name(j.state))
        .bind(6, j.task_version)
        .run();
  }

  std::optional<Millis> next_fire_at() override {
    auto s = db_.prepare(kNextFire);
    return s.step() ? s.opt_int64(0) : std::nullopt;
  }

  std::vector<ReminderJob> due(Millis now, int limit) override {
    auto s = db_.prepare(std::string("SELECT ") + kJobColumns +
                         " WHERE state = 'pending' AND fire_at <= ? ORDER BY fire_at LIMIT ?");
    s.bind(1, now).bind(2, std::int64_t(limit));
    std::vector<ReminderJob> jobs;
    while (s.step()) jobs.push_back(read_job(s));
    return jobs;
  }

  void remove_user(std::string_view user_id) override {
    db_.prepare(kRemoveUserJobs).bind(1, user_id).run();
  }

  std::vector<Unsynced> unsynced(int limit) override {
    auto s = db_.prepare(
        "SELECT task_id, user_id, remind_at, fire_at, state, task_version, revision "
        "FROM reminder_jobs WHERE revision <> synced_revision ORDER BY task_id LIMIT ?");
    s.bind(1, std::int64_t(limit));
    std::vector<Unsynced> rows;
    while (s.step()) rows.push_back({read_job(s), s.int64(6)});
    return rows;
  }

  void mark_synced(std::int64_t task_id, std::int64_t revision) override {
    db_.prepare(kMarkSynced).bind(1, task_id).bind(2, revision).run();
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<ReminderStore> make_reminder_store(Handle& handle) {
  return std::make_unique<SqliteReminders>(handle);
}

}  // namespace todo::storage::sqlite

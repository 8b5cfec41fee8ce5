// PostgreSQL: reminder jobs (storage/reminder_store.hpp). Several schedulers may share the
// table: due() locks the rows it returns and skips those another transaction holds.
#include "storage/postgres/pg_handle.hpp"
#include "storage/reminder_store.hpp"

namespace todo::storage::postgres {
namespace {

constexpr const char* kJobColumns =
    "task_id, user_id, remind_at, fire_at, state, task_version FROM reminder_jobs";
constexpr const char* kPutJob =
    "INSERT INTO reminder_jobs (task_id, user_id, remind_at, fire_at, state, task_version) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id) DO UPDATE SET user_id = $2, "
    "remind_at = $3, fire_at = $4, state = $5, task_version = $6, "
    "revision = reminder_jobs.revision + 1";
constexpr const char* kNextFire = "SELECT MIN(fire_at) FROM reminder_jobs WHERE state = 'pending'";
constexpr const char* kRemoveUserJobs = "DELETE FROM reminder_jobs WHERE user_id = $1";
constexpr const char* kMarkSynced =
    "UPDATE reminder_jobs SET synced_revision = revision WHERE task_id = $1 AND revision = $2";

ReminderJob read_job(const Rows& r, int row) {
  ReminderJob j;
  j.task_id = r.int64(row, 0);
  j.user_id = r.text(row, 1);
  j.remind_at = r.int64(row, 2);
  j.fire_at = r.int64(row, 3);
  j.state = parse_reminder_state(r.view(row, 4)).value_or(ReminderState::cancelled);
  j.task_version = r.int64(row, 5);
  return j;
}

class PgReminders final : public ReminderStore {
 public:
  explicit PgReminders(Handle& db) : db_(db) {}

  std::optional<ReminderJob> find(std::int64_t task_id) override {
    auto r = db_.exec(std::string("SELECT ") + kJobColumns + " WHERE task_id = $1 FOR UPDATE",
                      Params().add(task_id));
    if (r.empty()) return std::nullopt;
    return read_job(r, 0);
  }

  void put(const ReminderJob& j) override {
    db_.exec(kPutJob, Params()
                          .add(j.task_id)
                          .add(j.user_id)
                          .add(j.remind_at)
                          .add(j.fire_at)
                          .add(reminder_state_name(j.state))
                          .add(j.task_version));
  }

  std::optional<Millis> next_fire_at() override {
    auto r = db_.exec(kNextFire, Params());
    return r.empty() ? std::nullopt : r.opt_int64(0, 0);
  }

  std::vector<ReminderJob> due(Millis now, int limit) override {
    auto r = db_.exec(std::string("SELECT ") + kJobColumns +
                          " WHERE state = 'pending' AND fire_at <= $1 ORDER BY fire_at LIMIT $2 "
                          "FOR UPDATE SKIP LOCKED",
                      Params().add(now).add(std::int64_t(limit)));
    std::vector<ReminderJob> jobs;
    jobs.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i) jobs.push_back(read_job(r, i));
    return jobs;
  }

  void remove_user(std::string_view user_id) override {
    db_.exec(kRemoveUserJobs, Params().add(user_id));
  }

  std::vector<Unsynced> unsynced(int limit) override {
    auto r = db_.exec(
        "SELECT task_id, user_id, remind_at, fire_at, state, task_version, revision "
        "FROM reminder_jobs WHERE revision <> synced_revision ORDER BY task_id LIMIT $1",
        Params().add(std::int64_t(limit)));
    std::vector<Unsynced> rows;
    rows.reserve(std::size_t(r.size()));
    for (int i = 0; i < r.size(); ++i) rows.push_back({read_job(r, i), r.int64(i, 6)});
    return rows;
  }

  void mark_synced(std::int64_t task_id, std::int64_t revision) override {
    db_.exec(kMarkSynced, Params().add(task_id).add(revision));
  }

 private:
  Handle& db_;
};

}  // namespace

std::unique_ptr<ReminderStore> make_reminder_store(Handle& handle) {
  return std::make_unique<PgReminders>(handle);
}

}  // namespace todo::storage::postgres

// Audit retention on both backends: exactly the rows older than the retention go, in
// bounded batches. PostgreSQL runs when TODO_TEST_DATABASE_URL is set (make test sets it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "audit/retention.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"
#include "storage/sync.hpp"

namespace todo {
namespace {

// Forwards to a real database and, at the end of each write transaction (inside it), records
// how many of `user`'s audit rows are left: the steps between two records are the batches.
class BatchRecorder final : public storage::Database {
 public:
  BatchRecorder(storage::Database& inner, std::string user)
      : inner_(inner), user_(std::move(user)) {}
  void write(storage::Work work, storage::Done done) override {
    inner_.write(
        [this, work = std::move(work)](storage::Tx& tx) {
          work(tx);
          storage::AuditQuery q;
          q.limit = 200;
          auto left = storage::audit_log(tx).list(user_, q).items.size();
          std::lock_guard lock(mutex_);
          left_after_write_.push_back(left);
        },
        std::move(done));
  }
  void read(storage::Work work, storage::Done done) override {
    inner_.read(std::move(work), std::move(done));
  }
  bool ping() override { return inner_.ping(); }
  storage::StorageFault check_storage() override { return inner_.check_storage(); }
  storage::DatabaseStats stats() const override { return inner_.stats(); }
  void set_commit_listener(std::function<void(std::uint32_t)> listener) override {
    inner_.set_commit_listener(std::move(listener));
  }
  void stop() override {}
  std::vector<std::size_t> left_after_write() {
    std::lock_guard lock(mutex_);
    return left_after_write_;
  }

 private:
  storage::Database& inner_;
  std::string user_;
  std::mutex mutex_;
  std::vector<std::size_t> left_after_write_;
};

class Retention : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      const char* url = std::getenv("TODO_TEST_DATABASE_URL");
      if (!url || !*url) {
        if (std::getenv("TODO_REQUIRE_POSTGRES")) FAIL() << "TODO_TEST_DATABASE_URL is not set";
        GTEST_SKIP() << "no PostgreSQL (run through scripts/with-postgres.sh)";
      }
      db_ = storage::open_postgres({url, 1, 1});
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("todo-retention-" + time_ordered_uuid(now_millis()));
      db_ = storage::open_sqlite({(dir_ / "todo.db").string(), 1});
    }
    user_ = "u_retention_" + time_ordered_uuid(now_millis());
  }
  void TearDown() override {
    if (db_) db_->stop();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void add(Millis timestamp) {
    storage::AuditRecord r{0,        time_ordered_uuid(now_millis()), "created", user_, 1, "{}",
                           timestamp};
    ASSERT_TRUE(storage::write_and_wait(*db_, [&](storage::Tx& tx) {
                  storage::audit_log(tx).insert(r);
                }).ok());
  }
  std::vector<Millis> remaining() {
    storage::AuditQuery q;
    q.limit = 200;
    std::vector<Millis> out;
    EXPECT_TRUE(storage::read_and_wait(*db_, [&](storage::Tx& tx) {
                  for (const auto& r : storage::audit_log(tx).list(user_, q).items)
                    out.push_back(r.timestamp);
                }).ok());
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  std::string user_;
  ops::Metrics metrics_;
};

TEST_P(Retention, RemovesExactlyTheEventsOlderThanTheRetentionInBoundedBatches) {
  const Millis day = 24LL * 3600 * 1000;
  const Millis now = now_millis();
  for (Millis age : {30 * day, 10 * day, 8 * day, 7 * day + 60000}) add(now - age);  // old
  for (Millis age : {7 * day - 60000, 2 * day, Millis(0)}) add(now - age);           // kept
  BatchRecorder recorder(*db_, user_);
  audit::RetentionJob job(recorder, metrics_, std::chrono::hours(24 * 7), std::chrono::hours(1),
                          /*batch_rows=*/3);
  // On the shared PostgreSQL test database other suites' old rows may go too.
  int removed = job.run_once();
  EXPECT_GE(removed, 4);
  // No write transaction removed more than batch_rows of the rows.
  auto left = recorder.left_after_write();
  ASSERT_GE(left.size(), 2u);
  std::size_t before = 7;
  for (std::size_t after : left) {
    EXPECT_LE(before - after, 3u) << "a batch removed more than batch_rows";
    before = after;
  }
  if (GetParam() == "sqlite") {
    EXPECT_EQ(removed, 4);
    // Audit: 3, then a short batch of 1 ends it; then one pass over processed_events and one
    // over expired Idempotency-Keys.
    EXPECT_EQ(left, (std::vector<std::size_t>{4, 3, 3, 3}));
  }
  auto kept = remaining();
  ASSERT_EQ(kept.size(), 3u);
  for (Millis t : kept) EXPECT_GT(t, now - 7 * day);
  EXPECT_EQ(job.run_once(), 0);
  EXPECT_EQ(remaining().size(), 3u);
  EXPECT_NE(metrics_.render().find("todo_audit_purged_total " + std::to_string(removed)),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, Retention, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace todo

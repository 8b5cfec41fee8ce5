// The audit trail over day partitions (PostgreSQL, migration 016; issue 16 item 7), seen
// from the audit consumer and the retention job:
//   - exactly once across a day boundary: the same event delivered again, once as it was
//     and once stamped on the next day (both days have partitions), makes one audit row, on
//     both backends: the consumer contract's processed_events row catches what the
//     (event_id, timestamp) unique key of a partitioned table cannot;
//   - retention by whole days: past days are dropped as partitions, the day the cutoff falls
//     in stays whole, strays of the default partition go row by row at the exact cutoff,
//     the days ahead are created; a retention under a day deletes row by row;
//   - a pass that cannot have audit_log's lock within its lock_timeout leaves the drop to
//     the next pass instead of stalling (without the timeout that test would hang).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>

#include "../storage/scratch_databases.hpp"
#include "audit/audit_consumer.hpp"
#include "audit/retention.hpp"
#include "bus/consumer_runner.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"
#include "storage/audit_store.hpp"
#include "storage/sync.hpp"

namespace todo {
namespace {

constexpr Millis kDay = 24LL * 3600 * 1000;

std::string postgres_url() {
  const char* url = std::getenv("TODO_TEST_DATABASE_URL");
  return url ? url : "";
}

class AuditAcrossDays : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      if (postgres_url().empty()) {
        if (std::getenv("TODO_REQUIRE_POSTGRES")) FAIL() << "TODO_TEST_DATABASE_URL is not set";
        GTEST_SKIP() << "no PostgreSQL (run through scripts/with-postgres.sh)";
      }
      scratch_ = std::make_unique<storage::fixture::ScratchPostgres>(postgres_url(), "days");
      ASSERT_EQ(scratch_->created(), "");
      db_ = storage::open_postgres({scratch_->url(), 1, 1});
    } else {
      dir_ =
          std::filesystem::temp_directory_path() / ("todo-days-" + time_ordered_uuid(now_millis()));
      db_ = storage::open_sqlite({(dir_ / "todo.db").string(), 1});
    }
    user_ = "u_days_" + time_ordered_uuid(now_millis());
  }
  void TearDown() override {
    if (db_) db_->stop();
    db_.reset();
    scratch_.reset();  // after the pool's connections are gone
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool write(const storage::Work& work) { return storage::write_and_wait(*db_, work).ok(); }
  std::vector<storage::AuditRecord> audit() {
    std::vector<storage::AuditRecord> out;
    storage::AuditQuery q;
    q.limit = 100;
    EXPECT_TRUE(storage::read_and_wait(*db_, [&](storage::Tx& tx) {
                  out = storage::audit_log(tx).list(user_, q).items;
                }).ok());
    return out;
  }
  void add(const std::string& event_id, Millis timestamp) {
    ASSERT_TRUE(write([&](storage::Tx& tx) {
      storage::audit_log(tx).insert({0, event_id, "created", user_, 1, "{}", timestamp});
    }));
  }
  bool stored(const std::string& event_id) {
    for (const auto& r : audit())
      if (r.event_id == event_id) return true;
    return false;
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::fixture::ScratchPostgres> scratch_;
  std::unique_ptr<storage::Database> db_;
  std::string user_;
  ops::Metrics metrics_;
};

TEST_P(AuditAcrossDays, AnEventDeliveredAgainOnEitherSideOfMidnightIsAuditedOnce) {
  const Millis midnight = (now_millis() / kDay + 1) * kDay;  // tomorrow 00:00 UTC
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    storage::audit_log(tx).create_day_partitions(midnight - kDay, 2);  // today and tomorrow
  }));
  const std::string event_id = time_ordered_uuid(now_millis());
  auto delivery = [&](Millis stamped) {
    auto event = bus::event_from_payload(
        R"({"event_id":")" + event_id + R"(","event_type":"created","user_id":")" + user_ +
            R"(","task_id":7,"task_version":1,"schema_version":1,"task_data":{"id":7},)"
            R"("timestamp":")" +
            format_rfc3339(stamped) + R"("})",
        "task-events", stamped);
    EXPECT_TRUE(event) << (event ? "" : event.error().detail);
    return std::vector<bus::Event>{*event};
  };
  audit::AuditConsumer consumer(metrics_);
  bus::ConsumerRunner runner(metrics_);
  std::vector<bool> duplicate;
  // As published (23:59:59.999), the same again, and a copy stamped 00:00:00.000 (a
  // producer that re-stamped its retry): the last would fall in tomorrow's partition.
  for (Millis stamped : {midnight - 1, midnight - 1, midnight}) {
    auto events = delivery(stamped);
    bus::Handled handled;
    ASSERT_TRUE(write([&](storage::Tx& tx) { handled = runner.run(consumer, tx, events, 1); }));
    duplicate.push_back(handled.duplicate[0]);
  }
  EXPECT_EQ(duplicate, (std::vector<bool>{false, true, true}));
  auto rows = audit();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_id, event_id);
  EXPECT_EQ(rows[0].timestamp, midnight - 1) << "the first delivery's row, in its own day";
}

// Day partitions exist on PostgreSQL only (SQLite keeps the batched delete): these run there.
class AuditDayPartitions : public AuditAcrossDays {};

TEST_P(AuditDayPartitions, RetentionDropsPastDaysWholeAndKeepsTheDayTheCutoffFallsIn) {
  const Millis now = now_millis();
  const Millis cutoff = now - 7 * kDay;
  const Millis cutoff_day = cutoff / kDay * kDay;
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    auto& audit = storage::audit_log(tx);
    audit.create_day_partitions(cutoff_day - 3 * kDay, 1);  // a past day, wholly expired
    audit.create_day_partitions(cutoff_day, 1);             // the day the cutoff falls in
  }));
  add("past-day", cutoff_day - 3 * kDay + 3600000);
  add("cutoff-day", cutoff_day);        // older than the cutoff, but its day is not over
  add("stray", cutoff_day - 2 * kDay);  // no partition for its day: the default one
  add("recent", now);

  audit::RetentionJob week(*db_, metrics_, std::chrono::hours(24 * 7), std::chrono::hours(1));
  EXPECT_EQ(week.run_once(), 1) << "only the stray goes row by row";
  EXPECT_FALSE(stored("past-day"));
  EXPECT_FALSE(stored("stray"));
  EXPECT_TRUE(stored("cutoff-day")) << "a day goes whole, once it has all passed the cutoff";
  EXPECT_TRUE(stored("recent"));
  const std::string text = metrics_.render();
  EXPECT_NE(text.find("todo_audit_partitions_dropped_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("todo_audit_purged_total 1"), std::string::npos) << text;
  // The days ahead exist: a row stamped three days from now lands in its own partition.
  add("ahead", now + 3 * kDay);
  int created = -1;
  ASSERT_TRUE(write([&](storage::Tx& tx) {
    created = storage::audit_log(tx).create_day_partitions(now, 1 + week.kPartitionDaysAhead);
  }));
  EXPECT_EQ(created, 0) << "the pass created today and the days ahead already";

  // A retention under a day keeps the exact row-by-row delete: a row of 61 minutes ago goes
  // though its day (today, or yesterday's strays) is not over; the cutoff day has ended
  // an hour ago and goes whole.
  add("an-hour-ago", now - 61 * 60 * 1000);
  audit::RetentionJob hour(*db_, metrics_, std::chrono::hours(1), std::chrono::hours(1));
  EXPECT_EQ(hour.run_once(), 1);
  EXPECT_FALSE(stored("an-hour-ago"));
  EXPECT_FALSE(stored("cutoff-day"));
  EXPECT_TRUE(stored("recent"));
  EXPECT_TRUE(stored("ahead"));
}

// Dropping a partition needs an ACCESS EXCLUSIVE lock on audit_log: while a long transaction
// holds audit_log, a pass gives up on it after its lock_timeout (2 s) rather than queueing
// every reader and writer behind it for as long, still does its row-by-row work, and the
// next pass, once the table is free, drops the day.
TEST_P(AuditDayPartitions, APassFindingAuditLogBusyGivesUpTheDropAndTheNextPassDoesIt) {
  const Millis old_day = (now_millis() - 10 * kDay) / kDay * kDay;
  ASSERT_TRUE(
      write([&](storage::Tx& tx) { storage::audit_log(tx).create_day_partitions(old_day, 1); }));
  add("old", old_day + 1);
  add("stray", old_day - kDay);  // default partition: deleted row by row
  std::unique_ptr<PGconn, decltype(&PQfinish)> holder(PQconnectdb(scratch_->url().c_str()),
                                                      &PQfinish);
  ASSERT_EQ(PQstatus(holder.get()), CONNECTION_OK);
  auto run = [&](const char* statement) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(holder.get(), statement), &PQclear);
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQerrorMessage(holder.get());
  };
  run("BEGIN");
  run("LOCK TABLE audit_log IN ACCESS SHARE MODE");  // what a long audit query holds

  audit::RetentionJob job(*db_, metrics_, std::chrono::hours(24 * 7), std::chrono::hours(1));
  EXPECT_EQ(job.run_once(), 1) << "the stray is deleted row by row all the same";
  EXPECT_TRUE(stored("old")) << "not dropped while audit_log is held";
  EXPECT_FALSE(stored("stray"));
  EXPECT_NE(metrics_.render().find("todo_audit_partitions_dropped_total 0"), std::string::npos);

  run("COMMIT");
  EXPECT_EQ(job.run_once(), 0);
  EXPECT_FALSE(stored("old"));
  EXPECT_NE(metrics_.render().find("todo_audit_partitions_dropped_total 1"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditAcrossDays, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Postgres, AuditDayPartitions, ::testing::Values("postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace todo

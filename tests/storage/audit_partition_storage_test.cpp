// audit_log partitioned by day on PostgreSQL (migration 016, issue 16 item 7): the upgrade
// of a database holding rows, a row for a day without a partition, retiring whole days,
// the uniqueness of an event at a day boundary, and partition pruning of the audit query.
// Each test has a PostgreSQL database of its own (scratch_databases.hpp): partitions are
// per database, and other suites' retention would drop the old days these tests make.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "scratch_databases.hpp"
#include "storage/audit_store.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres/pg_audit.hpp"
#include "storage/postgres/pg_handle.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

constexpr Millis kDay = 24LL * 3600 * 1000;
// 2001-01-01T00:00:00Z: days far from today's, which no retention job here would drop.
constexpr Millis kDay0 = 978307200000;

using Table = std::vector<std::vector<std::string>>;

// Runs `sql` on its own connection; the rows as text. Fails the test on an error.
Table sql(const std::string& url, const std::string& statement) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), statement.c_str()), &PQclear);
  const auto status = PQresultStatus(r.get());
  EXPECT_TRUE(status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
      << PQerrorMessage(conn.get()) << statement;
  Table out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    out.emplace_back();
    for (int j = 0; j < PQnfields(r.get()); ++j) out.back().push_back(PQgetvalue(r.get(), i, j));
  }
  return out;
}

// event_id -> the partition holding its row.
std::map<std::string, std::string> partition_of_events(const std::string& url) {
  std::map<std::string, std::string> out;
  for (const auto& row : sql(url, "SELECT event_id, tableoid::regclass::text FROM audit_log"))
    out[row[0]] = row[1];
  return out;
}

std::vector<std::string> partitions(const std::string& url) {
  std::vector<std::string> out;
  for (const auto& row : sql(url,
                             "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                             "c.oid = i.inhrelid WHERE i.inhparent = 'audit_log'::regclass "
                             "ORDER BY 1"))
    out.push_back(row[0]);
  return out;
}

// audit_log_pYYYYMMDD of the UTC day holding `t` (t >= 0).
std::string partition_name(Millis t) {
  std::string day = format_rfc3339(t).substr(0, 10);  // YYYY-MM-DD
  day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
  return "audit_log_p" + day;
}

AuditRecord record(std::string event_id, std::string user, Millis timestamp) {
  return AuditRecord{0, std::move(event_id), "created", std::move(user),
                     1, R"({"e":1})",        timestamp};
}

class AuditPartitionTest : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().url.empty()) GTEST_FAIL() << kMissingPostgres;
  }
  void TearDown() override {
    if (db_) db_->stop();
  }
  // A fresh database at the latest version.
  void open(const ScratchPostgres& scratch) { db_ = open_postgres({scratch.url(), 1, 1, 8}); }
  Status write(const std::function<void(Tx&)>& work) {
    return await([&](Done d) { db_->write(work, d); });
  }
  AuditPage page(const std::string& user, AuditQuery q) {
    AuditPage p;
    EXPECT_TRUE(
        ok(await([&](Done d) { db_->read([&](Tx& tx) { p = audit_log(tx).list(user, q); }, d); })));
    return p;
  }
  // Every row of `user` by walking the keyset pages of `limit` rows: event ids, newest first.
  std::vector<std::string> walk(const std::string& user, int limit) {
    AuditQuery q;
    q.limit = limit;
    std::vector<std::string> ids;
    for (int guard = 0; guard < 100; ++guard) {
      AuditPage p = page(user, q);
      for (const auto& r : p.items) ids.push_back(r.event_id);
      if (!p.next_before_id) break;
      q.before_id = p.next_before_id;
    }
    return ids;
  }
  std::unique_ptr<Database> db_;
};

TEST_P(AuditPartitionTest, UpgradeMovesEveryRowIntoItsDayWithItsIdAndTheCursorsKeepWorking) {
  ScratchPostgres scratch(GetParam().url, "audit_upgrade");
  ASSERT_EQ(scratch.created(), "");
  // The schema before 016, as the previous release left it, holding rows: ids in insertion
  // order, timestamps over the last three days, one stray from 1970.
  const Millis today = now_millis() / kDay * kDay;
  const std::vector<std::pair<std::string, Millis>> old_rows = {
      {"old-a", today - 2 * kDay + 5},
      {"old-b", today - kDay - 1},
      {"old-c", today - 2 * kDay + 7},
      {"old-d", today + 1},
      {"old-stray", 1000},
      {"old-e", today - kDay + 3600000},
  };
  sql(scratch.url(),
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at BIGINT NOT NULL)");
  for (const Migration& m : migrations_for("postgres")) {
    if (m.version >= 16) continue;
    sql(scratch.url(), "BEGIN; " + std::string(m.sql) + "; INSERT INTO schema_migrations VALUES (" +
                           std::to_string(m.version) + ", '" + m.name + "', 0); COMMIT");
  }
  for (const auto& [id, ts] : old_rows)
    sql(scratch.url(),
        "INSERT INTO audit_log (event_id, event_type, user_id, task_id, event_data, timestamp) "
        "VALUES ('" +
            id + "', 'created', 'u_old', 1, '{\"id\":\"" + id + "\"}', " + std::to_string(ts) +
            ")");
  std::map<std::string, std::string> old_ids;
  for (const auto& row : sql(scratch.url(), "SELECT event_id, id FROM audit_log"))
    old_ids[row[0]] = row[1];
  ASSERT_EQ(old_ids.size(), old_rows.size());

  open(scratch);  // migrates to the latest version

  auto where = partition_of_events(scratch.url());
  ASSERT_EQ(where.size(), old_rows.size()) << "every row moved";
  for (const auto& [id, ts] : old_rows)
    EXPECT_EQ(where[id], id == "old-stray" ? "audit_log_default" : partition_name(ts)) << id;
  for (const auto& row : sql(scratch.url(), "SELECT event_id, id FROM audit_log"))
    EXPECT_EQ(old_ids[row[0]], row[1]) << "the id of " << row[0] << " is kept";

  // The audit query over the moved rows: newest (highest id) first, across partitions, and
  // keyset pages of every size meet each row once.
  std::vector<std::pair<std::int64_t, std::string>> by_id;
  for (const auto& [event, id] : old_ids) by_id.emplace_back(std::stoll(id), event);
  std::sort(by_id.rbegin(), by_id.rend());
  std::vector<std::string> newest_first;
  for (const auto& [id, event] : by_id) newest_first.push_back(event);
  for (int limit : {1, 2, 4, 50}) EXPECT_EQ(walk("u_old", limit), newest_first) << limit;

  // New rows continue the ids; a redelivered old event is still recognised.
  bool again = true, fresh = false;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    again = audit_log(tx).insert(record("old-b", "u_old", today - kDay - 1));
    fresh = audit_log(tx).insert(record("new-a", "u_old", now_millis()));
  })));
  EXPECT_FALSE(again) << "old-b was stored before the upgrade";
  EXPECT_TRUE(fresh);
  auto first = page("u_old", {}).items.at(0);
  EXPECT_EQ(first.event_id, "new-a");
  EXPECT_GT(first.id, by_id.front().first) << "the id sequence continues after the old rows";
}

TEST_P(AuditPartitionTest, ARowForADayWithoutPartitionIsStoredAndMovesWhenItsDayIsCreated) {
  ScratchPostgres scratch(GetParam().url, "audit_default");
  ASSERT_EQ(scratch.created(), "");
  open(scratch);
  const Millis day = kDay0 + 40 * kDay;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    EXPECT_TRUE(audit_log(tx).insert(record("stray", "u_s", day + 1234)));
  }))) << "no partition for that day: the insert must not fail";
  EXPECT_EQ(partition_of_events(scratch.url())["stray"], "audit_log_default");

  int created = -1, again = -1;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { created = audit_log(tx).create_day_partitions(day + 5, 2); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { again = audit_log(tx).create_day_partitions(day, 2); })));
  EXPECT_EQ(created, 2);
  EXPECT_EQ(again, 0) << "existing days are left alone";
  EXPECT_EQ(partition_of_events(scratch.url())["stray"], partition_name(day))
      << "the row moved out of the default partition into its day's";
  auto items = page("u_s", {}).items;
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].timestamp, day + 1234);
  bool duplicate = true;
  ASSERT_TRUE(ok(write(
      [&](Tx& tx) { duplicate = audit_log(tx).insert(record("stray", "u_s", day + 1234)); })));
  EXPECT_FALSE(duplicate) << "still unique after the move";
}

// An event stamped at the last millisecond of a day and redelivered is stored once, in that
// day's partition, whichever day it is delivered on; the first millisecond of the next day
// is the next partition's.
TEST_P(AuditPartitionTest, AnEventAtADayBoundaryRedeliveredIsStoredOnceInItsDay) {
  ScratchPostgres scratch(GetParam().url, "audit_boundary");
  ASSERT_EQ(scratch.created(), "");
  open(scratch);
  const Millis midnight = kDay0 + 10 * kDay;
  ASSERT_TRUE(ok(write([&](Tx& tx) { audit_log(tx).create_day_partitions(midnight - kDay, 2); })));
  const auto last = record("e-last", "u_b", midnight - 1);
  const auto first = record("e-first", "u_b", midnight);
  std::vector<bool> inserted;
  int many = -1;
  for (int delivery = 0; delivery < 2; ++delivery)
    ASSERT_TRUE(ok(write([&](Tx& tx) {
      inserted.push_back(audit_log(tx).insert(last));
      inserted.push_back(audit_log(tx).insert(first));
    })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { many = audit_log(tx).insert_many({last, first, last}); })));
  EXPECT_EQ(inserted, (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(many, 0);
  EXPECT_EQ(walk("u_b", 10), (std::vector<std::string>{"e-first", "e-last"}));
  auto where = partition_of_events(scratch.url());
  EXPECT_EQ(where["e-last"], partition_name(midnight - kDay));
  EXPECT_EQ(where["e-first"], partition_name(midnight));
}

TEST_P(AuditPartitionTest, RetentionDropsWholeDaysAndPurgesOnlyTheStraysRowByRow) {
  ScratchPostgres scratch(GetParam().url, "audit_drop");
  ASSERT_EQ(scratch.created(), "");
  open(scratch);
  // Days 1 and 2 have partitions; rows of days 0 and 3 are strays in the default one.
  const Millis d1 = kDay0 + kDay, d2 = kDay0 + 2 * kDay;
  ASSERT_TRUE(ok(write([&](Tx& tx) { audit_log(tx).create_day_partitions(d1, 2); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    audit_log(tx).insert_many({record("d0", "u_r", kDay0 + 10), record("d1a", "u_r", d1 + 10),
                               record("d1b", "u_r", d1 + kDay - 1), record("d2", "u_r", d2 + 10),
                               record("d3", "u_r", kDay0 + 3 * kDay + 10)});
  })));
  EXPECT_EQ(partition_of_events(scratch.url())["d0"], "audit_log_default");

  // A cutoff in the middle of day 2: day 1 has ended before it, day 2 has not.
  const Millis cutoff = d2 + kDay / 2;
  std::vector<DroppedPartition> dropped;
  ASSERT_TRUE(ok(write([&](Tx& tx) { dropped = audit_log(tx).drop_day_partitions(cutoff); })));
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].name, partition_name(d1));
  std::vector<std::string> left = partitions(scratch.url());
  EXPECT_EQ(std::count(left.begin(), left.end(), partition_name(d1)), 0);
  EXPECT_EQ(std::count(left.begin(), left.end(), partition_name(d2)), 1);
  EXPECT_EQ(std::count(left.begin(), left.end(), "audit_log_default"), 1)
      << "the default partition is never dropped";
  EXPECT_EQ(walk("u_r", 10), (std::vector<std::string>{"d3", "d2", "d0"}));

  // Row by row, only outside the day partitions: d0 (a stray before the cutoff) goes; d2 is
  // older than the cutoff too but stays with its day; d3 is younger.
  int purged = -1;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { purged = audit_log(tx).purge_outside_day_partitions(cutoff, 100); })));
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(walk("u_r", 10), (std::vector<std::string>{"d3", "d2"}));
  // purge() itself reaches into the day partitions (the retention under a day).
  ASSERT_TRUE(ok(write([&](Tx& tx) { purged = audit_log(tx).purge(cutoff, 100); })));
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(walk("u_r", 10), (std::vector<std::string>{"d3"}));
}

// The plan of the audit query exactly as the store runs it: with a time range PostgreSQL
// reads only the partitions of those days, and the default partition only when the range
// reaches days that have none; without a range, every partition.
TEST_P(AuditPartitionTest, AQueryWithATimeRangeReadsOnlyItsDaysPartitions) {
  ScratchPostgres scratch(GetParam().url, "audit_explain");
  ASSERT_EQ(scratch.created(), "");
  open(scratch);
  ASSERT_TRUE(ok(write([&](Tx& tx) { audit_log(tx).create_day_partitions(kDay0, 3); })));
  auto plan = [&](const AuditQuery& q) {
    auto [statement, params] = postgres::audit_list_statement("u_x", q);
    postgres::Handle handle(scratch.url());
    auto rows = handle.exec("EXPLAIN " + statement, params);
    std::string text;
    for (int i = 0; i < rows.size(); ++i) text += rows.text(i, 0) + "\n";
    return text;
  };
  const std::string p0 = partition_name(kDay0), p1 = partition_name(kDay0 + kDay),
                    p2 = partition_name(kDay0 + 2 * kDay), other = "audit_log_default";
  auto reads = [](const std::string& plan, const std::string& partition) {
    return plan.find(partition) != std::string::npos;
  };
  AuditQuery one_day;  // within day 1, with the other filters and a cursor
  one_day.from = kDay0 + kDay + 1000;
  one_day.to = kDay0 + 2 * kDay - 1000;
  one_day.before_id = 1000;
  one_day.event_types = {"created"};
  one_day.task_id = 3;
  std::string pruned = plan(one_day);
  EXPECT_TRUE(reads(pruned, p1)) << pruned;
  EXPECT_FALSE(reads(pruned, p0) || reads(pruned, p2) || reads(pruned, other)) << pruned;

  AuditQuery beyond;  // from day 2 on: day 3 and later have no partition yet
  beyond.from = kDay0 + 2 * kDay + 5;
  std::string open_ended = plan(beyond);
  EXPECT_TRUE(reads(open_ended, p2) && reads(open_ended, other)) << open_ended;
  EXPECT_FALSE(reads(open_ended, p0) || reads(open_ended, p1)) << open_ended;

  std::string everything = plan({});
  for (const auto& p : {p0, p1, p2, other}) EXPECT_TRUE(reads(everything, p)) << p;
}

// Without PostgreSQL (a run outside scripts/with-postgres.sh) it has no instance.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AuditPartitionTest);
INSTANTIATE_TEST_SUITE_P(Postgres, AuditPartitionTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace todo::storage

// The outbox part of the repository contract (storage/tx.hpp) and the Database promises
// the outbox relies on (storage/database.hpp): commit listener, per-user id order. Runs on
// every backend like storage_test.cpp (fixture: storage_fixture.hpp).
//
// The outbox is not scoped by user: pending_outbox and outbox_stats see every row. So that
// the shared PostgreSQL database gives exact answers, each test uses subscriber bits of its
// own (the application's relay hands out bits from the lowest, tests/events none of these),
// first acknowledges away what a crashed earlier run of it may have left, and filters rows
// by its user-id prefix.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "storage/outbox_store.hpp"
#include "storage/postgres/pg_outbox.hpp"
#include "storage/stream_store.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

constexpr std::uint32_t kBitA = 1u << 24;
constexpr std::uint32_t kBitB = 1u << 25;
constexpr std::uint32_t kBitRollback = 1u << 26;
constexpr std::uint32_t kBitOrder = 1u << 27;
constexpr std::uint32_t kBitListener = 1u << 28;
constexpr std::uint32_t kBitClaims = 1u << 29;
constexpr std::uint32_t kBitContended = 1u << 23;

// Older than any real event, so that "oldest" over the whole shared outbox is ours.
constexpr Millis kAncient = -8'000'000'000'000'000;

class OutboxStorageTest : public StorageTest {
 protected:
  // A row of user `user`, identified by `name` (event_id = prefix + name).
  OutboxRow row(std::string_view user, std::string_view name, Millis created_at) const {
    return OutboxRow{0,
                     prefix_ + std::string(name),
                     user_id(user),
                     "task-events",
                     R"({"event_id":")" + prefix_ + std::string(name) + R"(","q":"a\"b,{c}"})",
                     created_at};
  }
  // Every row pending for `bit` (in id order) that this test wrote.
  std::vector<OutboxRow> pending(std::uint32_t bit, int limit = 100000) {
    std::vector<OutboxRow> rows;
    EXPECT_TRUE(ok(read([&](Tx& tx) { rows = storage::outbox(tx).pending(bit, limit); })));
    std::erase_if(rows, [&](const OutboxRow& r) { return !r.user_id.starts_with(prefix_); });
    return rows;
  }
  // Their event ids without the prefix.
  std::vector<std::string> names(const std::vector<OutboxRow>& rows) const {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.event_id.substr(prefix_.size()));
    return out;
  }
  OutboxStats stats(std::uint32_t bit) {
    OutboxStats s;
    EXPECT_TRUE(ok(read([&](Tx& tx) { s = storage::outbox(tx).stats(bit); })));
    return s;
  }
  void ack(std::uint32_t bit, const std::vector<std::int64_t>& ids) {
    EXPECT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).ack(bit, ids); })));
  }
  // Leftovers of a crashed earlier run (PostgreSQL keeps them); a fresh SQLite file has none.
  void drain(std::uint32_t bit) {
    ASSERT_TRUE(ok(write([&](Tx& tx) {
      for (;;) {
        std::vector<std::int64_t> ids;
        for (const auto& r : storage::outbox(tx).pending(bit, 1000)) ids.push_back(r.id);
        if (ids.empty()) break;
        storage::outbox(tx).ack(bit, ids);
      }
    })));
  }

  // Rows of this test in the table, whatever their mask: a row no subscriber needs must be
  // deleted, not kept with mask 0, and the repository interface cannot show the difference.
  std::int64_t stored_rows() const {
    if (is_postgres()) {
      std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(GetParam().url.c_str()),
                                                     &PQfinish);
      EXPECT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
      const char* values[] = {prefix_.c_str()};
      std::unique_ptr<PGresult, decltype(&PQclear)> r(
          PQexecParams(c.get(), "SELECT count(*) FROM outbox WHERE left(event_id, length($1)) = $1",
                       1, nullptr, values, nullptr, nullptr, 0),
          &PQclear);
      EXPECT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(r.get());
      return PQntuples(r.get()) == 1 ? std::atoll(PQgetvalue(r.get(), 0, 0)) : -1;
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2((dir_ / "todo.db").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    EXPECT_EQ(rc, SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db.get(),
                                 "SELECT count(*) FROM outbox WHERE substr(event_id, 1, ?1) = ?2",
                                 -1, &stmt, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db.get());
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> s(stmt, &sqlite3_finalize);
    sqlite3_bind_int(stmt, 1, int(prefix_.size()));
    sqlite3_bind_text(stmt, 2, prefix_.c_str(), -1, SQLITE_TRANSIENT);
    return sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  }
};

std::vector<std::int64_t> ids_of(const std::vector<OutboxRow>& rows) {
  std::vector<std::int64_t> ids;
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

TEST_P(OutboxStorageTest, PendingAckAndStatsPerSubscriberBit) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitA));
  ASSERT_NO_FATAL_FAILURE(drain(kBitB));
  const std::uint32_t kBoth = kBitA | kBitB;
  // name, mask, created_at (not in id order, so "oldest" is not simply the first row).
  const std::vector<std::tuple<std::string, std::uint32_t, Millis>> rows = {
      {"r0", kBoth, kAncient + 500}, {"r1", kBitA, kAncient + 100}, {"r2", kBoth, kAncient + 300},
      {"r3", kBitA, kAncient + 50},  {"r4", kBitB, kAncient + 10},  {"r5", kBoth, kAncient + 200},
  };
  std::vector<std::string> seen_inside;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    for (const auto& [name, mask, created] : rows)
      storage::outbox(tx).insert(row(name == "r4" ? "b" : "a", name, created), mask);
    // A transaction sees its own outbox rows (PostgreSQL buffers them until commit).
    seen_inside.clear();
    for (const auto& r : storage::outbox(tx).pending(kBitB, 100000))
      if (r.user_id.starts_with(prefix_)) seen_inside.push_back(r.event_id.substr(prefix_.size()));
  })));
  EXPECT_EQ(seen_inside, (std::vector<std::string>{"r0", "r2", "r4", "r5"}));
  EXPECT_EQ(stored_rows(), 6);

  auto for_a = pending(kBitA);
  EXPECT_EQ(names(for_a), (std::vector<std::string>{"r0", "r1", "r2", "r3", "r5"}));
  EXPECT_TRUE(std::is_sorted(for_a.begin(), for_a.end(),
                             [](const auto& x, const auto& y) { return x.id < y.id; }));
  auto for_b = pending(kBitB);
  EXPECT_EQ(names(for_b), (std::vector<std::string>{"r0", "r2", "r4", "r5"}));
  EXPECT_EQ(names(pending(kBitA, 2)), (std::vector<std::string>{"r0", "r1"}));
  EXPECT_EQ(names(pending(kBitB, 3)), (std::vector<std::string>{"r0", "r2", "r4"}));
  // Every field round-trips (the payload holds quotes, commas and braces).
  ASSERT_EQ(for_a.size(), 5u);
  OutboxRow expected = row("a", "r3", kAncient + 50);
  EXPECT_GT(for_a[3].id, 0);
  EXPECT_EQ(for_a[3].event_id, expected.event_id);
  EXPECT_EQ(for_a[3].user_id, expected.user_id);
  EXPECT_EQ(for_a[3].topic, expected.topic);
  EXPECT_EQ(for_a[3].payload, expected.payload);
  EXPECT_EQ(for_a[3].created_at, expected.created_at);
  EXPECT_EQ(for_b[2].user_id, user_id("b"));

  OutboxStats a = stats(kBitA), b = stats(kBitB), any = stats(0);
  EXPECT_EQ(a.pending, 5);
  EXPECT_EQ(a.oldest_created_at, kAncient + 50);
  EXPECT_EQ(b.pending, 4);
  EXPECT_EQ(b.oldest_created_at, kAncient + 10);
  // Bit 0 counts every pending row, other tests' too on the shared PostgreSQL database.
  if (is_postgres()) {
    EXPECT_GE(any.pending, 6);
  } else {
    EXPECT_EQ(any.pending, 6);
  }
  EXPECT_EQ(any.oldest_created_at, kAncient + 10);
  // All at once (one query for the /metrics gauges): the same answers.
  std::vector<OutboxStats> many;
  ASSERT_TRUE(ok(read([&](Tx& tx) { many = storage::outbox(tx).stats_many({kBitB, 0, kBitA}); })));
  ASSERT_EQ(many.size(), 3u);
  EXPECT_EQ(many[0].pending, b.pending);
  EXPECT_EQ(many[0].oldest_created_at, b.oldest_created_at);
  if (is_postgres()) {
    EXPECT_GE(many[1].pending, 6);
  } else {
    EXPECT_EQ(many[1].pending, 6);
  }
  EXPECT_EQ(many[1].oldest_created_at, any.oldest_created_at);
  EXPECT_EQ(many[2].pending, a.pending);
  EXPECT_EQ(many[2].oldest_created_at, a.oldest_created_at);

  // Acknowledging for A: rows only A needed are deleted, the others wait for B.
  ack(kBitA, {for_a[0].id, for_a[1].id, for_a[2].id});  // r0, r1, r2
  EXPECT_EQ(names(pending(kBitA)), (std::vector<std::string>{"r3", "r5"}));
  EXPECT_EQ(names(pending(kBitB)), (std::vector<std::string>{"r0", "r2", "r4", "r5"}));
  EXPECT_EQ(stored_rows(), 5);  // r1 is gone
  EXPECT_EQ(stats(kBitA).pending, 2);
  // No-ops: no ids, unknown ids, a row that does not have the bit (r4 is B's only).
  ack(kBitA, {});
  ack(kBitA, {for_b[2].id, 9'000'000'000'000'000});
  EXPECT_EQ(names(pending(kBitB)), (std::vector<std::string>{"r0", "r2", "r4", "r5"}));
  EXPECT_EQ(stored_rows(), 5);

  ack(kBitA, {for_a[3].id, for_a[4].id});  // r3 (deleted), r5 (kept for B)
  EXPECT_TRUE(pending(kBitA).empty());
  EXPECT_EQ(stored_rows(), 4);
  OutboxStats a_done = stats(kBitA);
  EXPECT_EQ(a_done.pending, 0);
  EXPECT_FALSE(a_done.oldest_created_at);

  // Acknowledged by both subscribers: nothing left.
  ack(kBitB, ids_of(pending(kBitB)));
  EXPECT_TRUE(pending(kBitB).empty());
  EXPECT_EQ(stored_rows(), 0);
  OutboxStats b_done = stats(kBitB);
  EXPECT_EQ(b_done.pending, 0);
  EXPECT_FALSE(b_done.oldest_created_at);
  if (!is_postgres()) {
    EXPECT_EQ(stats(0).pending, 0);
    EXPECT_FALSE(stats(0).oldest_created_at);
  }
}

TEST_P(OutboxStorageTest, RolledBackWritesLeaveNoOutboxRow) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitRollback));
  // Alone: the unit fails after its insert (a transient error, so it is even retried).
  Status failed = write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "alone", 1), kBitRollback);
    throw DbError("injected failure after insert_outbox");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(pending(kBitRollback).empty());
  EXPECT_EQ(stored_rows(), 0);

  // In a group-committed batch: the batch is rolled back and its units re-run one by one;
  // the good units' rows are there exactly once, the faulty unit's not at all.
  WriterGate gate;
  ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
  const std::vector<std::string> units = {"good1", "bad", "good2", "good3"};
  Completions done(int(units.size()));
  for (std::size_t i = 0; i < units.size(); ++i) {
    db_->write(
        [&, i](Tx& tx) {
          storage::outbox(tx).insert(row("a", units[i], 2), kBitRollback);
          if (units[i] == "bad") {
            DbError e("injected failure in a batch");
            e.transient = false;
            throw e;
          }
        },
        done.done(int(i)));
  }
  gate.open();
  ASSERT_TRUE(done.wait(60s));
  EXPECT_TRUE(ok(done[0]));
  EXPECT_FALSE(done[1].ok());
  EXPECT_TRUE(ok(done[2]));
  EXPECT_TRUE(ok(done[3]));
  // Exactly the good units' rows, once each. (Their id order is their commit order, which on
  // PostgreSQL's two writers need not be the order they were submitted in: the rolled-back
  // batch's good unit may commit alone before the other writer's batch.)
  auto kept = names(pending(kBitRollback));
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::string>{"good1", "good2", "good3"}));
  EXPECT_EQ(stored_rows(), 3);
  ack(kBitRollback, ids_of(pending(kBitRollback)));
}

TEST_P(OutboxStorageTest, CommitListenerRunsAfterEachCommitOfEventsOnly) {
  // Shared: the listener may outlive this function until TearDown stops the database.
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto targets = std::make_shared<std::atomic<std::uint32_t>>(0);
  auto& commits = *calls;
  db_->set_commit_listener([calls, targets](std::uint32_t bits) {
    ++*calls;
    *targets |= bits;
  });  // before the first write, as required

  // Each awaited write is a batch of its own; its completion comes after the listener.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(ok(write([&, i](Tx& tx) {
      storage::outbox(tx).insert(row("a", "seq" + std::to_string(i), 1), kBitListener);
    })));
    EXPECT_EQ(commits.load(), i + 1);
  }
  // It hears which targets the rows are for (the relay wakes only those).
  EXPECT_EQ(targets->exchange(0), kBitListener);
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "two-targets", 1), kBitListener | kBitRollback);
  })));
  EXPECT_EQ(targets->exchange(0), kBitListener | kBitRollback);
  auto extra = ids_of(pending(kBitRollback));
  ack(kBitRollback, extra);
  ack(kBitListener, extra);
  commits = 5;
  // Failed writes commit nothing: no call, whether retried (transient) or not.
  EXPECT_FALSE(write([&](Tx& tx) {
                 storage::outbox(tx).insert(row("a", "failed1", 1), kBitListener);
                 throw DbError("transient failure");
               }).ok());
  EXPECT_FALSE(write([&](Tx&) {
                 DbError e("permanent failure");
                 e.transient = false;
                 throw e;
               }).ok());
  EXPECT_EQ(commits.load(), 5);
  // Commits that wrote no event do not call it: the relay's own reads, claims and
  // acknowledgements would otherwise wake it again and again (a busy loop on PostgreSQL).
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).stats(0); })));
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).ack(kBitListener, {}); })));
  EXPECT_EQ(commits.load(), 5);

  // A burst: at least one call per committed batch, at most one per unit.
  constexpr int kBurst = 100;
  WriterGate gate;
  ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
  Completions done(kBurst);
  for (int i = 0; i < kBurst; ++i)
    db_->write(
        [&, i](Tx& tx) {
          storage::outbox(tx).insert(row("a", "burst" + std::to_string(i), 1), kBitListener);
        },
        done.done(i));
  gate.open();
  ASSERT_TRUE(done.wait(60s));
  for (int i = 0; i < kBurst; ++i) ASSERT_TRUE(ok(done[i]));
  // (The gate's own units commit too, but they wrote no event.)
  int burst_commits = commits.load() - 5;
  EXPECT_GE(burst_commits, 1);
  EXPECT_LT(burst_commits, kBurst) << "the burst was not group-committed";
  EXPECT_EQ(pending(kBitListener).size(), std::size_t(5 + kBurst));
  ack(kBitListener, ids_of(pending(kBitListener)));
}

// The relay delivers in id order, so one user's rows must become visible in id order: a
// reader may never see a row of a user while an earlier-id row of that user is still
// uncommitted (it would be delivered later, out of order). Writes of three users spread
// over every writer while a reader keeps taking snapshots; every snapshot of a user's
// ids must be a prefix of that user's final ids.
TEST_P(OutboxStorageTest, OneUsersRowsBecomeVisibleInIdOrder) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitOrder));
  constexpr int kPerUser = 500;
  const std::vector<std::string> users = {"u1", "u2", "u3"};
  Completions done(kPerUser * int(users.size()));
  std::atomic<bool> writing{true};
  std::vector<std::map<std::string, std::vector<std::int64_t>>> snapshots;
  std::promise<void> first_taken;
  std::thread reader([&] {
    // Snapshots while the writers write, and one after: at least two even when a fast machine
    // commits everything before this thread is scheduled again.
    do {
      std::map<std::string, std::vector<std::int64_t>> snapshot;
      for (const auto& r : pending(kBitOrder)) snapshot[r.user_id].push_back(r.id);
      snapshots.push_back(std::move(snapshot));
      if (snapshots.size() == 1) first_taken.set_value();
    } while (writing || snapshots.size() < 2);
  });
  first_taken.get_future().wait();  // the writes start once the reader is running
  for (int i = 0; i < kPerUser; ++i) {
    for (std::size_t u = 0; u < users.size(); ++u) {
      db_->write(
          [&, i, u](Tx& tx) {
            storage::outbox(tx).insert(row(users[u], users[u] + "-" + std::to_string(i), 1),
                                       kBitOrder);
          },
          done.done(i * int(users.size()) + int(u)));
    }
  }
  bool finished = done.wait(120s);
  writing = false;
  reader.join();
  ASSERT_TRUE(finished);
  for (int i = 0; i < kPerUser * int(users.size()); ++i) ASSERT_TRUE(ok(done[i])) << i;

  auto rows = pending(kBitOrder);  // id order
  ASSERT_EQ(rows.size(), std::size_t(kPerUser) * users.size());
  std::map<std::string, std::vector<std::int64_t>> final_ids;
  for (const auto& r : rows) final_ids[r.user_id].push_back(r.id);
  ASSERT_GT(snapshots.size(), 1u);
  for (const auto& snapshot : snapshots) {
    for (const auto& [user, ids] : snapshot) {
      const auto& all = final_ids[user];
      ASSERT_LE(ids.size(), all.size());
      ASSERT_TRUE(std::equal(ids.begin(), ids.end(), all.begin()))
          << user << ": a row became visible before an earlier-id row of the same user";
    }
  }
  ack(kBitOrder, ids_of(rows));
  EXPECT_EQ(stored_rows(), 0);
}

// Claims: what two api replicas sharing one outbox rely on. A user claimed by one holder
// is invisible to the other until released or expired; a claim takes rows in id order.
// A PostgreSQL session named `name` (application_name) for as long as it lives: on PostgreSQL a
// claim holder counts as alive while a session of its name exists.
struct NamedSession {
  NamedSession(const std::string& url, const std::string& name)
      : conn(PQconnectdb(url.c_str()), &PQfinish) {
    EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
    std::unique_ptr<PGresult, decltype(&PQclear)> r(
        PQexec(conn.get(), ("SET application_name = '" + name + "'").c_str()), &PQclear);
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(r.get());
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn;
};

// A second session of the test's database, as another process holds one.
struct OtherSession {
  explicit OtherSession(const std::string& url) : conn(PQconnectdb(url.c_str()), &PQfinish) {
    EXPECT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  }
  void exec(const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.c_str()), &PQclear);
    auto status = PQresultStatus(r.get());
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQresultErrorMessage(r.get());
  }
  // Whether some session waits for an advisory lock, polled (pg_locks) for up to ~30 s: a
  // condition, not a pause.
  bool someone_waits_for_an_advisory_lock() {
    for (int i = 0; i < 3000; ++i) {
      std::unique_ptr<PGresult, decltype(&PQclear)> r(
          PQexec(conn.get(),
                 "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
          &PQclear);
      if (PQresultStatus(r.get()) == PGRES_TUPLES_OK &&
          std::string(PQgetvalue(r.get(), 0, 0)) != "0")
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn;
};

TEST_P(OutboxStorageTest, ClaimsGiveEachUserToOneHolderAtATime) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitClaims));
  const std::string h1 = prefix_ + "holder-1", h2 = prefix_ + "holder-2";
  // Both holders are processes that are alive (on PostgreSQL: have a session of their name).
  std::optional<NamedSession> s1, s2;
  if (is_postgres()) s1.emplace(GetParam().url, h1), s2.emplace(GetParam().url, h2);
  auto claim = [&](const std::string& holder, Millis now, Millis until) {
    std::vector<OutboxRow> rows;
    EXPECT_TRUE(ok(write(
        [&](Tx& tx) { rows = storage::outbox(tx).claim(kBitClaims, holder, 1000, now, until); })));
    std::erase_if(rows, [&](const OutboxRow& r) { return !r.user_id.starts_with(prefix_); });
    return names(rows);
  };
  auto release = [&](const std::string& holder) {
    EXPECT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).release_claims(kBitClaims, holder); })));
  };
  using Names = std::vector<std::string>;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "a1", 1), kBitClaims);
    storage::outbox(tx).insert(row("b", "b1", 1), kBitClaims);
    storage::outbox(tx).insert(row("a", "a2", 1), kBitClaims);
  })));
  const Millis t = 1'000'000;
  EXPECT_EQ(claim(h1, t, t + 30'000), (Names{"a1", "b1", "a2"}));
  EXPECT_EQ(claim(h2, t, t + 30'000), Names{}) << "users held by holder 1 must be skipped";

  // A newer event of a held user waits; another user's goes to whoever asks.
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "a3", 1), kBitClaims);
    storage::outbox(tx).insert(row("c", "c1", 1), kBitClaims);
  })));
  EXPECT_EQ(claim(h2, t + 1, t + 30'000), Names{"c1"});

  // Holder 1 acknowledges what it had and releases: holder 2 (whose own earlier claim
  // ends when it claims again) now gets a's next event, and c's again (not acknowledged).
  std::vector<std::int64_t> h1_ids;
  for (const auto& r : pending(kBitClaims))
    if (r.user_id != user_id("c") && r.event_id != prefix_ + "a3") h1_ids.push_back(r.id);
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).ack(kBitClaims, h1_ids);
    storage::outbox(tx).release_claims(kBitClaims, h1);
  })));
  EXPECT_EQ(claim(h2, t + 2, t + 30'000), (Names{"a3", "c1"}));

  // A holder that died: its claims lapse at the end of the lease.
  EXPECT_EQ(claim(h1, t + 3, t + 30'000), Names{});
  EXPECT_EQ(claim(h1, t + 30'003, t + 60'000), (Names{"a3", "c1"}));
  release(h1);
  release(h2);
  ack(kBitClaims, ids_of(pending(kBitClaims)));
  EXPECT_EQ(stored_rows(), 0);
}

// A local consumer takes its rows in the transaction that acknowledges them (OutboxStore::take,
// bus/outbox_relay.cpp): in id order, without claim rows of its own, and never a user another
// holder has claimed until that claim lapses (an older process claiming the same target).
TEST_P(OutboxStorageTest, TakeGivesRowsInIdOrderAndLeavesUsersClaimedByAnotherHolder) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitClaims));
  const std::string other = prefix_ + "other-holder";
  std::optional<NamedSession> alive;
  if (is_postgres()) alive.emplace(GetParam().url, other);
  auto take = [&](Millis now) {
    std::vector<OutboxRow> rows;
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { rows = storage::outbox(tx).take(kBitClaims, 1000, now).value(); })));
    std::erase_if(rows, [&](const OutboxRow& r) { return !r.user_id.starts_with(prefix_); });
    return names(rows);
  };
  using Names = std::vector<std::string>;
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { storage::outbox(tx).insert(row("a", "a1", 1), kBitClaims); })));
  const Millis t = 1'000'000;
  std::vector<OutboxRow> claimed;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    claimed = storage::outbox(tx).claim(kBitClaims, other, 1000, t, t + 30'000);
  })));
  ASSERT_EQ(names(claimed), Names{"a1"});
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("b", "b1", 1), kBitClaims);
    storage::outbox(tx).insert(row("a", "a2", 1), kBitClaims);
    storage::outbox(tx).insert(row("b", "b2", 1), kBitClaims);
  })));
  EXPECT_EQ(take(t + 1), (Names{"b1", "b2"})) << "user a is claimed by another holder";
  EXPECT_EQ(take(t + 1), (Names{"b1", "b2"}))
      << "taking writes no claim: the rows stay until acked";
  EXPECT_EQ(take(t + 30'001), (Names{"a1", "b1", "a2", "b2"})) << "the other claim lapsed";
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).release_claims(kBitClaims, other); })));
  ack(kBitClaims, ids_of(pending(kBitClaims)));
  EXPECT_EQ(take(t + 2), Names{});
}

// A consumer that wants listeners' events only (OutboxAddress::if_listening: the stream
// consumer) gets the bit of a row exactly when the row's user listened since the given time,
// decided as the row is written; a row with no other target is then not written at all.
TEST_P(OutboxStorageTest, ListenersOnlyBitsFollowTheUsersListenedAtWhenTheRowIsWritten) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitA));
  ASSERT_NO_FATAL_FAILURE(drain(kBitB));
  const Millis t = now_millis();
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::stream(tx).listen(user_id("fresh"), t, t);
    storage::stream(tx).listen(user_id("stale"), t - 600'000, t - 600'000);
  })));
  OutboxAddress both;
  both.bits = kBitA;
  both.if_listening = kBitB;
  both.listened_since = t - 300'000;
  OutboxAddress gated_only;
  gated_only.if_listening = kBitB;
  gated_only.listened_since = t - 300'000;
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    for (const char* user : {"fresh", "stale", "never"}) {
      storage::outbox(tx).insert(row(user, std::string(user) + "-both", 1), both);
      storage::outbox(tx).insert(row(user, std::string(user) + "-gated", 1), gated_only);
    }
  })));
  using Names = std::vector<std::string>;
  EXPECT_EQ(names(pending(kBitB)), (Names{"fresh-both", "fresh-gated"}));
  EXPECT_EQ(names(pending(kBitA)), (Names{"fresh-both", "stale-both", "never-both"}));
  EXPECT_EQ(names(pending(kBitA | kBitB)),
            (Names{"fresh-both", "fresh-gated", "stale-both", "never-both"}))
      << "a row for nobody is not written";
  ack(kBitA, ids_of(pending(kBitA)));
  ack(kBitB, ids_of(pending(kBitB)));
}

// The relay wakes a listeners-only target (the stream) only for commits that gave a row its
// bit: a commit of rows for users who do not listen must not wake it (on PostgreSQL each
// wake-up is a read transaction of the relay that finds nothing, one per commit under load).
TEST_P(OutboxStorageTest, TheCommitListenerHearsAListenersOnlyTargetOnlyForRowsThatGotItsBit) {
  auto heard = std::make_shared<std::atomic<std::uint32_t>>(0);
  db_->set_commit_listener([heard](std::uint32_t bits) { *heard |= bits; });
  const Millis t = now_millis();
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::stream(tx).listen(user_id("on"), t, t); })));
  ASSERT_NO_FATAL_FAILURE(drain(kBitA));
  ASSERT_NO_FATAL_FAILURE(drain(kBitB));
  OutboxAddress both;
  both.bits = kBitA;
  both.if_listening = kBitB;
  both.listened_since = t - 300'000;
  OutboxAddress gated_only = both;
  gated_only.bits = 0;

  heard->store(0);
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).insert(row("off", "o1", 1), both); })));
  EXPECT_EQ(heard->exchange(0), kBitA) << "nobody listens: the stream's target is not woken";
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { storage::outbox(tx).insert(row("off", "o2", 1), gated_only); })));
  EXPECT_EQ(heard->exchange(0), 0u) << "no row was written";
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("off", "o3", 1), both);
    storage::outbox(tx).insert(row("on", "n1", 1), gated_only);
  })));
  EXPECT_EQ(heard->exchange(0), kBitA | kBitB) << "one row of the batch got the bit";
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).insert(row("on", "n2", 1), both); })));
  EXPECT_EQ(heard->exchange(0), kBitA | kBitB);
  EXPECT_EQ(names(pending(kBitB)), (std::vector<std::string>{"n1", "n2"}));
  ack(kBitA, ids_of(pending(kBitA)));
  ack(kBitB, ids_of(pending(kBitB)));
}

// A process killed mid-batch leaves its claims behind; on PostgreSQL they name the process's
// sessions (their application_name), so they end as soon as the last of them is gone — not
// after the lease, and not while one of them may still commit.
// Sessions exist only on PostgreSQL (one process owns a SQLite file): this suite runs there.
class PostgresOutboxClaims : public OutboxStorageTest {};

// Several targets share each row (audit, recurrence, reminders): while one target's
// acknowledgement holds a row, the row is still pending for the others, and a claim of another
// target must take it, in order — not skip it and hand out that user's later events first.
TEST_P(PostgresOutboxClaims, ARowLockedByAnotherTargetsAckIsNotSkipped) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitClaims));
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "first", 1), kBitClaims | kBitA);
    storage::outbox(tx).insert(row("a", "second", 1), kBitClaims | kBitA);
  })));
  std::int64_t first_id = 0;
  for (const auto& r : pending(kBitClaims))
    if (r.event_id == prefix_ + "first") first_id = r.id;
  ASSERT_NE(first_id, 0);
  // Target A is acknowledging "first" in a transaction that has not committed yet.
  std::unique_ptr<PGconn, decltype(&PQfinish)> other(PQconnectdb(GetParam().url.c_str()),
                                                     &PQfinish);
  ASSERT_EQ(PQstatus(other.get()), CONNECTION_OK) << PQerrorMessage(other.get());
  const std::string ack_sql = "BEGIN; UPDATE outbox SET pending_mask = pending_mask & ~" +
                              std::to_string(kBitA) + " WHERE id = " + std::to_string(first_id);
  std::unique_ptr<PGresult, decltype(&PQclear)> locked(PQexec(other.get(), ack_sql.c_str()),
                                                       &PQclear);
  ASSERT_EQ(PQresultStatus(locked.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(locked.get());
  std::vector<OutboxRow> rows;
  const std::string me = prefix_ + "me";
  ASSERT_TRUE(ok(
      write([&](Tx& tx) { rows = storage::outbox(tx).claim(kBitClaims, me, 100, 1000, 2000); })));
  std::erase_if(rows, [&](const OutboxRow& x) { return !x.user_id.starts_with(prefix_); });
  EXPECT_EQ(names(rows), (std::vector<std::string>{"first", "second"}));
  std::unique_ptr<PGresult, decltype(&PQclear)> done(PQexec(other.get(), "ROLLBACK"), &PQclear);
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).release_claims(kBitClaims, me); })));
  ack(kBitClaims, ids_of(pending(kBitClaims)));
  ack(kBitA, ids_of(pending(kBitA)));
}

// Two processes' consumers of one target take turns: while another process's take of the
// target is in a transaction, a take gets nothing and says so (it does not wait inside its
// group commit, where it could close a cycle with that process's batch); once that one
// committed, it sees what that one acknowledged (no event handled twice, one user's events in
// order).
TEST_P(PostgresOutboxClaims,
       ATakeWhileAnotherProcessHoldsTheTargetIsBusyThenSeesItsAcknowledgement) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitClaims));
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "first", 1), kBitClaims);
    storage::outbox(tx).insert(row("a", "second", 1), kBitClaims);
  })));
  std::int64_t first_id = 0;
  for (const auto& r : pending(kBitClaims))
    if (r.event_id == prefix_ + "first") first_id = r.id;
  ASSERT_NE(first_id, 0);
  // The other process: in the middle of its take of this target (it holds the target's lock,
  // pg_outbox.cpp) and acknowledging "first".
  OtherSession other(GetParam().url);
  other.exec("BEGIN");
  other.exec("SELECT pg_advisory_xact_lock(7377285226040508416 + " + std::to_string(kBitClaims) +
             ")");
  other.exec("DELETE FROM outbox WHERE id = " + std::to_string(first_id));
  std::optional<std::vector<OutboxRow>> taken;
  ASSERT_TRUE(ok(write([&](Tx& tx) { taken = storage::outbox(tx).take(kBitClaims, 100, 1000); })));
  EXPECT_FALSE(taken.has_value()) << "the target is held by the other process";
  other.exec("COMMIT");
  ASSERT_TRUE(ok(write([&](Tx& tx) { taken = storage::outbox(tx).take(kBitClaims, 100, 1000); })));
  ASSERT_TRUE(taken.has_value());
  std::erase_if(*taken, [&](const OutboxRow& x) { return !x.user_id.starts_with(prefix_); });
  EXPECT_EQ(names(*taken), (std::vector<std::string>{"second"}));
  ack(kBitClaims, ids_of(pending(kBitClaims)));
}

// A stream's settle() after its listen() waits for a transaction that may have written the
// user's outbox rows without seeing that listen(): it holds the user's outbox lock from its
// INSERT to its end.
TEST_P(PostgresOutboxClaims, SettleWaitsForATransactionHoldingTheUsersOutboxLock) {
  OtherSession other(GetParam().url);
  auto exec = [&](const std::string& sql) { other.exec(sql); };
  exec("BEGIN");
  exec("SELECT pg_advisory_xact_lock(" +
       std::to_string(storage::postgres::outbox_user_lock_key(user_id("s"))) + ")");
  std::atomic<bool> settled{false};
  std::thread settler([&] {
    EXPECT_TRUE(ok(read([&](Tx& tx) { storage::outbox(tx).settle(user_id("s")); })));
    settled = true;
  });
  const bool waiting = other.someone_waits_for_an_advisory_lock();
  EXPECT_TRUE(waiting) << "settle() did not wait for the writer";
  EXPECT_FALSE(settled);
  exec("COMMIT");
  settler.join();
  EXPECT_TRUE(settled);
  // Another user's lock is not this one: settle() returns at once.
  EXPECT_TRUE(ok(read([&](Tx& tx) { storage::outbox(tx).settle(user_id("t")); })));
}

// The other half: a writer reads the listening marks only once it holds the user's outbox
// lock, so a listen() that commits while the writer waits for the lock is seen.
TEST_P(PostgresOutboxClaims, AWriterWaitingForTheUsersLockSeesAListenCommittedMeanwhile) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitB));
  OtherSession other(GetParam().url);
  auto exec = [&](const std::string& sql) { other.exec(sql); };
  exec("BEGIN");
  exec("SELECT pg_advisory_xact_lock(" +
       std::to_string(storage::postgres::outbox_user_lock_key(user_id("w"))) + ")");
  const Millis t = now_millis();
  OutboxAddress gated;
  gated.if_listening = kBitB;
  gated.listened_since = t - 60'000;
  std::thread writer([&] {
    EXPECT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).insert(row("w", "w1", 1), gated); })));
  });
  const bool waiting = other.someone_waits_for_an_advisory_lock();
  ASSERT_TRUE(waiting) << "the writer did not wait for the user's lock";
  // The stream opens meanwhile (committed on another connection).
  const std::string listen =
      "INSERT INTO stream_cursors (user_id, last_seq, listened_at, "
      "resume_floor) VALUES ('" +
      user_id("w") + "', 0, " + std::to_string(t) + ", 0)";
  std::unique_ptr<PGconn, decltype(&PQfinish)> stream_conn(PQconnectdb(GetParam().url.c_str()),
                                                           &PQfinish);
  std::unique_ptr<PGresult, decltype(&PQclear)> listened(PQexec(stream_conn.get(), listen.c_str()),
                                                         &PQclear);
  ASSERT_EQ(PQresultStatus(listened.get()), PGRES_COMMAND_OK)
      << PQresultErrorMessage(listened.get());
  exec("COMMIT");
  writer.join();
  EXPECT_EQ(names(pending(kBitB)), std::vector<std::string>{"w1"});
  ack(kBitB, ids_of(pending(kBitB)));
}

TEST_P(PostgresOutboxClaims, ClaimsOfAGoneSessionEndAtOnce) {
  ASSERT_NO_FATAL_FAILURE(drain(kBitClaims));
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    storage::outbox(tx).insert(row("a", "ghost-a1", 1), kBitClaims);
    storage::outbox(tx).insert(row("b", "alive-b1", 1), kBitClaims);
  })));
  std::unique_ptr<PGconn, decltype(&PQfinish)> other(PQconnectdb(GetParam().url.c_str()),
                                                     &PQfinish);
  ASSERT_EQ(PQstatus(other.get()), CONNECTION_OK) << PQerrorMessage(other.get());
  // User a: held by a process none of whose sessions exists; user b: by one that is alive.
  const std::string ua = user_id("a"), ub = user_id("b"),
                    alive = std::to_string(PQbackendPID(other.get())),
                    alive_name = prefix_ + "alive", ghost_name = prefix_ + "ghost";
  std::unique_ptr<PGresult, decltype(&PQclear)> named(
      PQexec(other.get(), ("SET application_name = '" + alive_name + "'").c_str()), &PQclear);
  ASSERT_EQ(PQresultStatus(named.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(named.get());
  const std::string bit = std::to_string(kBitClaims);
  const char* values[] = {bit.c_str(), ua.c_str(), ub.c_str(), ghost_name.c_str(),
                          alive_name.c_str()};
  std::unique_ptr<PGresult, decltype(&PQclear)> r(
      PQexecParams(other.get(),
                   "INSERT INTO outbox_claims (subscriber_bit, user_id, holder, holder_pid, "
                   "expires_at) VALUES ($1::integer, $2, $4, -1, 9000000000000000), "
                   "($1::integer, $3, $5, pg_backend_pid(), 9000000000000000)",
                   5, nullptr, values, nullptr, nullptr, 0),
      &PQclear);
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(r.get());
  std::vector<OutboxRow> rows;
  const std::string me = prefix_ + "me";
  ASSERT_TRUE(ok(
      write([&](Tx& tx) { rows = storage::outbox(tx).claim(kBitClaims, me, 100, 1000, 2000); })));
  std::erase_if(rows, [&](const OutboxRow& x) { return !x.user_id.starts_with(prefix_); });
  EXPECT_EQ(names(rows), std::vector<std::string>{"ghost-a1"})
      << "the gone session's user is free, the live one's is not";
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).release_claims(kBitClaims, me); })));
  other.reset();  // its session ends: b is free too
  // The server process leaves pg_stat_activity a moment after the client hangs up: wait for
  // exactly that (the precondition), then one claim must take both users.
  std::unique_ptr<PGconn, decltype(&PQfinish)> watcher(PQconnectdb(GetParam().url.c_str()),
                                                       &PQfinish);
  ASSERT_EQ(PQstatus(watcher.get()), CONNECTION_OK) << PQerrorMessage(watcher.get());
  const char* pid[] = {alive.c_str()};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::unique_ptr<PGresult, decltype(&PQclear)> gone(
        PQexecParams(watcher.get(), "SELECT 1 FROM pg_stat_activity WHERE pid = $1::integer", 1,
                     nullptr, pid, nullptr, nullptr, 0),
        &PQclear);
    ASSERT_EQ(PQresultStatus(gone.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(gone.get());
    if (PQntuples(gone.get()) == 0) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "backend " << alive << " never left";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::vector<OutboxRow> later;
  ASSERT_TRUE(ok(
      write([&](Tx& tx) { later = storage::outbox(tx).claim(kBitClaims, me, 100, 1000, 2000); })));
  std::erase_if(later, [&](const OutboxRow& x) { return !x.user_id.starts_with(prefix_); });
  EXPECT_EQ(names(later), (std::vector<std::string>{"ghost-a1", "alive-b1"}));
  ASSERT_TRUE(ok(write([&](Tx& tx) { storage::outbox(tx).release_claims(kBitClaims, me); })));
  ack(kBitClaims, ids_of(pending(kBitClaims)));
}

// A holder that skipped another's users learns of their release at once (NOTIFY todo_outbox
// with the target's bit); a release nobody waited for sends nothing (a NOTIFY serialises
// commits on PostgreSQL: a process relaying alone must not pay for it).
TEST_P(PostgresOutboxClaims, OnlyAContendedReleaseIsAnnouncedWithItsBit) {
  using namespace std::chrono_literals;
  ASSERT_NO_FATAL_FAILURE(drain(kBitContended));
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<std::string>> heard;
  auto listener = listen_postgres_payloads(GetParam().url, "todo_outbox",
                                           [&](const std::optional<std::string>& payload) {
                                             std::lock_guard lock(mutex);
                                             heard.push_back(payload);
                                             changed.notify_all();
                                           });
  auto heard_bit = [&] {
    const std::optional<std::string> bit = std::to_string(kBitContended);
    return std::count(heard.begin(), heard.end(), bit);
  };
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] { return !heard.empty(); }))
        << "LISTEN never connected";
  }
  const std::string h1 = prefix_ + "first", h2 = prefix_ + "second";
  NamedSession s1(GetParam().url, h1), s2(GetParam().url, h2);  // both holders alive
  auto claim = [&](const std::string& holder) {
    std::vector<OutboxRow> rows;
    EXPECT_TRUE(ok(write([&](Tx& tx) {
      rows = storage::outbox(tx).claim(kBitContended, holder, 100, 1000, 9'000'000);
    })));
    return names(rows);
  };
  auto release = [&](const std::string& holder) {
    EXPECT_TRUE(
        ok(write([&](Tx& tx) { storage::outbox(tx).release_claims(kBitContended, holder); })));
  };
  ASSERT_TRUE(
      ok(write([&](Tx& tx) { storage::outbox(tx).insert(row("a", "a1", 1), kBitContended); })));
  // Alone: claimed and released without a word. (Notifications arrive in commit order: once
  // a sentinel sent afterwards is heard, anything the release sent would have been too.)
  EXPECT_EQ(claim(h1), std::vector<std::string>{"a1"});
  release(h1);
  const std::string sentinel = prefix_ + "sentinel";
  std::unique_ptr<PGresult, decltype(&PQclear)> sent(
      PQexec(s1.conn.get(), ("NOTIFY todo_outbox, '" + sentinel + "'").c_str()), &PQclear);
  ASSERT_EQ(PQresultStatus(sent.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(sent.get());
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] {
      return std::count(heard.begin(), heard.end(), std::optional<std::string>(sentinel)) > 0;
    }));
    EXPECT_EQ(heard_bit(), 0) << "a release nobody waited for was announced";
  }
  // Contended: the second holder skips a's row while the first holds it...
  EXPECT_EQ(claim(h1), std::vector<std::string>{"a1"});
  EXPECT_EQ(claim(h2), std::vector<std::string>{});
  release(h1);  // ...and hears of the release
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] { return heard_bit() > 0; }))
        << "the release of a contended claim was not announced";
  }
  EXPECT_EQ(claim(h2), std::vector<std::string>{"a1"});
  release(h2);
  ack(kBitContended, ids_of(pending(kBitContended)));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, OutboxStorageTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, OutboxStorageTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, PostgresOutboxClaims, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
// Empty only outside make test (no TODO_TEST_DATABASE_URL and no TODO_REQUIRE_POSTGRES).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PostgresOutboxClaims);

}  // namespace
}  // namespace todo::storage

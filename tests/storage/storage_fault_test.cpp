// Storage that refuses writes (storage/tx.hpp StorageFault) through the Database, on both
// backends: the error a request gets (503, problem subtype, Retry-After; never internal),
// nothing of the failed unit kept, check_storage() reporting the fault for /readyz until a
// write (or its own probe) succeeds again. Faults are produced for real: SQLite with
// max_page_count (SQLITE_FULL) and query_only (SQLITE_READONLY), PostgreSQL with a raised
// disk_full (53100) and a database switched to default_transaction_read_only (25006). The
// full file system itself: tests/integration/storage_full.test.mjs.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include "storage/postgres/pg_handle.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;

void expect_storage_error(const Status& st, const char* subtype) {
  ASSERT_FALSE(st.ok()) << "the write was accepted";
  EXPECT_EQ(st.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(st.error().subtype, subtype);
  EXPECT_FALSE(st.error().title.empty());
  EXPECT_GT(st.error().retry_after_seconds, 0);
}

TEST(StorageFaultCodes, PostgresSqlstates) {
  EXPECT_EQ(postgres::storage_fault_of("53100"), StorageFault::full);  // disk_full
  EXPECT_EQ(postgres::storage_fault_of("25006"), StorageFault::read_only);
  EXPECT_EQ(postgres::storage_fault_of("58030"), StorageFault::io_error);
  EXPECT_EQ(postgres::storage_fault_of("53200"), StorageFault::none);  // out_of_memory
  EXPECT_EQ(postgres::storage_fault_of("23505"), StorageFault::none);
  EXPECT_EQ(postgres::storage_fault_of(""), StorageFault::none);
  // A full disk is not retried at once (it stays full); other resource shortages are.
  EXPECT_FALSE(postgres::is_transient("53100", true));
  EXPECT_FALSE(postgres::is_transient("25006", true));
  EXPECT_TRUE(postgres::is_transient("53200", true));
  EXPECT_TRUE(postgres::is_transient("53300", true));
}

TEST(StorageFaultCodes, SqliteResultCodes) {
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_FULL), StorageFault::full);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_READONLY), StorageFault::read_only);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_READONLY_DBMOVED), StorageFault::read_only);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_IOERR_WRITE), StorageFault::io_error);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_IOERR_FSYNC), StorageFault::io_error);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_CORRUPT), StorageFault::io_error);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_BUSY), StorageFault::none);
  EXPECT_EQ(sqlite::storage_fault_of(SQLITE_CONSTRAINT_UNIQUE), StorageFault::none);
}

class StorageFaultTest : public StorageTest {
 protected:
  // Runs `sql` on the writer connection without committing anything: connection settings
  // (PRAGMAs) outlive the rolled-back unit, so that only a probe can find out they changed.
  void set_on_writer(const std::string& sql) {
    write([&](Tx& tx) {
      tx.sqlite()->exec(sql.c_str());
      throw std::logic_error("roll back: only the connection setting was wanted");
    });
  }
  Status insert_task(const std::string& title) {
    return write([&](Tx& tx) {
      storage::tasks(tx).insert(user_id("a"),
                                {.title = title, .description = std::string(20000, 'x')}, 1);
    });
  }
};

TEST_P(StorageFaultTest, FullStorageIs503UntilSpaceReturns) {
  create_user("a");
  ASSERT_TRUE(ok(insert_task("before")));
  if (is_postgres()) {
    // The error PostgreSQL raises when it cannot extend a file, raised for real.
    const Status st = write([&](Tx& tx) {
      storage::tasks(tx).insert(user_id("a"), {.title = "lost"}, 1);
      tx.postgres()->exec_script(
          "DO $$BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' "
          "USING ERRCODE = 'disk_full'; END$$");
    });
    expect_storage_error(st, "storage-full");
  } else {
    ASSERT_TRUE(ok(write([&](Tx& tx) {
      auto s = tx.sqlite()->prepare("PRAGMA page_count");
      ASSERT_TRUE(s.step());
      const std::string limit = "PRAGMA max_page_count = " + std::to_string(s.int64(0));
      tx.sqlite()->exec(limit.c_str());
    })));
    expect_storage_error(insert_task("lost"), "storage-full");
    expect_storage_error(insert_task("lost too"), "storage-full");
    EXPECT_EQ(db_->check_storage(), StorageFault::full) << "the probe needs room too";
    set_on_writer("PRAGMA max_page_count = 1073741823");
  }
  // Space is back: the probe of check_storage sees it, with no other write.
  EXPECT_EQ(db_->check_storage(), StorageFault::none);
  ASSERT_TRUE(ok(insert_task("after")));
  std::vector<std::string> titles;
  ASSERT_TRUE(ok(read([&](Tx& tx) {
    TaskQuery q;
    q.sort = SortField::created_at;
    q.ascending = true;
    for (const auto& t : storage::tasks(tx).list(user_id("a"), q).items) titles.push_back(t.title);
  })));
  EXPECT_EQ(titles, (std::vector<std::string>{"before", "after"}));
}

// SQLite only: its one writer takes a whole group-committed batch; the PostgreSQL reading of
// the same promise is PostgresReadOnly and the Postgres instance of the test above.
class SqliteFaultTest : public StorageFaultTest {};

TEST_P(SqliteFaultTest, AFaultedBatchFailsEveryUnitWithoutReRunningThem) {
  create_user("a");
  ASSERT_TRUE(ok(write([&](Tx& tx) {
    auto s = tx.sqlite()->prepare("PRAGMA page_count");
    ASSERT_TRUE(s.step());
    tx.sqlite()->exec(("PRAGMA max_page_count = " + std::to_string(s.int64(0))).c_str());
  })));
  WriterGate gate;
  ASSERT_NO_FATAL_FAILURE(gate.hold(*db_, writers()));
  Completions done(8);
  std::atomic<int> runs{0};
  for (int i = 0; i < 8; ++i) {
    db_->write(
        [&](Tx& tx) {
          ++runs;
          storage::tasks(tx).insert(user_id("a"),
                                    {.title = "t", .description = std::string(20000, 'x')}, 1);
        },
        done.done(i));
  }
  gate.open();
  ASSERT_TRUE(done.wait(60s));
  for (int i = 0; i < 8; ++i) expect_storage_error(done[i], "storage-full");
  // The batch stopped at its first unit (nothing fits), and no unit was re-run alone, which
  // would have made 1 + 8 runs.
  EXPECT_EQ(runs, 1);
  set_on_writer("PRAGMA max_page_count = 1073741823");
  EXPECT_TRUE(all_tasks("a").empty());
}

TEST_P(SqliteFaultTest, ReadOnlyStorageIs503AndNotReady) {
  create_user("a");
  // query_only makes every write of the writer connection fail with SQLITE_READONLY, as
  // read-only storage does; it also refuses BEGIN IMMEDIATE, so no later unit (and no probe)
  // can clear it: the connection stays read-only until the fixture closes it. Recovery by
  // the probe: FullStorageIs503UntilSpaceReturns; on a read-only database: PostgresReadOnly.
  const Status st = write([&](Tx& tx) {
    tx.sqlite()->exec("PRAGMA query_only = 1");
    storage::tasks(tx).insert(user_id("a"), {.title = "lost"}, 1);
  });
  expect_storage_error(st, "storage-read-only");
  expect_storage_error(insert_task("lost too"), "storage-read-only");
  EXPECT_EQ(db_->check_storage(), StorageFault::read_only);
  EXPECT_TRUE(db_->ping()) << "reads go on";
  EXPECT_TRUE(all_tasks("a").empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageFaultTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Postgres, StorageFaultTest, testing::ValuesIn(postgres_backends()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteFaultTest, testing::Values(Backend{"sqlite", ""}),
                         [](const auto& info) { return info.param.name; });

// A PostgreSQL database switched to read-only (default_transaction_read_only, as an operator
// or a failover to a standby does) under a running pool: 503 storage-read-only and
// check_storage() read_only until it is writable again. A database of its own: the setting
// must not reach the tests running beside it.
TEST(PostgresReadOnly, Is503UntilTheDatabaseIsWritableAgain) {
  const std::string base = env("TODO_TEST_DATABASE_URL");
  if (base.empty() && env("TODO_REQUIRE_POSTGRES") == "1") GTEST_FAIL() << kMissingPostgres;
  if (base.empty()) GTEST_SKIP() << "TODO_TEST_DATABASE_URL not set";
  const std::string name = "todo_ro_" + random_hex(10);
  std::unique_ptr<PGconn, decltype(&PQfinish)> admin(PQconnectdb(base.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(admin.get()), CONNECTION_OK) << PQerrorMessage(admin.get());
  auto admin_exec = [&](const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(admin.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(r.get());
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(admin.get());
  };
  // Sessions read the database's settings when they start: end the pool's so it reconnects.
  auto apply = [&](const std::string& setting) {
    admin_exec("ALTER DATABASE " + name + " " + setting);
    admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name +
               "'");
  };
  admin_exec("CREATE DATABASE " + name);
  const auto path_start = base.find('/', base.find("://") + 3);
  const auto query_start = base.find('?', path_start);
  const std::string url = base.substr(0, path_start) + "/" + name +
                          (query_start == std::string::npos ? "" : base.substr(query_start));
  {
    auto db = open_postgres({url, 1, 1, 8});
    auto write = [&](Work w) { return await([&](Done d) { db->write(std::move(w), d); }); };
    const std::string user = "ro" + random_hex(12);
    ASSERT_TRUE(ok(write([&](Tx& tx) {
      storage::users(tx).insert({user, user + "@example.com", "R", 1}, "h");
    })));
    auto insert = [&] {
      return write([&](Tx& tx) { storage::tasks(tx).insert(user, {.title = "t"}, 1); });
    };

    apply("SET default_transaction_read_only = on");
    expect_storage_error(insert(), "storage-read-only");
    EXPECT_EQ(db->check_storage(), StorageFault::read_only);
    EXPECT_TRUE(db->ping()) << "reads go on";

    apply("RESET default_transaction_read_only");
    EXPECT_EQ(db->check_storage(), StorageFault::none);
    EXPECT_TRUE(ok(insert()));
    db->stop();
  }
  admin_exec("DROP DATABASE " + name + " WITH (FORCE)");
}

}  // namespace
}  // namespace todo::storage

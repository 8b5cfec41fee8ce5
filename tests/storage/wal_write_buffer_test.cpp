// The WAL write buffer (storage/sqlite/wal_write_buffer.hpp): every connection of
// sqlite::Handle opens its files through it. What a user would notice if it were wrong: a
// committed row missing for another connection or after a restart, a failed write reported
// as a commit, a damaged database; and what it is for: fewer write calls per commit.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/sqlite/wal_write_buffer.hpp"
#include "storage_fixture.hpp"

namespace todo::storage::sqlite {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("todo-walbuf-" + fixture::random_hex(12));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::int64_t count_rows(Handle& db) {
  auto st = db.prepare("SELECT count(*) FROM t");
  st.step();
  return st.int64(0);
}

// Write system calls this process made so far (Linux task I/O accounting).
long long write_calls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value)
    if (key == "syscw:") return value;
  return -1;
}

// n transactions of `rows` rows of `bytes` each through `db`.
void commit_rows(Handle& db, int n, int rows, int bytes) {
  const std::string body(static_cast<std::size_t>(bytes), 'b');
  for (int i = 0; i < n; ++i) {
    db.exec("BEGIN IMMEDIATE");
    for (int r = 0; r < rows; ++r)
      db.prepare("INSERT INTO t (body) VALUES (?)").bind(1, body).run();
    db.exec("COMMIT");
  }
}

TEST(WalWriteBuffer, CommittedRowsAreSeenByAnotherConnectionAtOnceAndAfterReopening) {
  TempDir dir;
  const std::string path = (dir.path / "t.db").string();
  {
    Handle writer(path);
    // The buffer is written at the commit's xSync: with synchronous=NORMAL there is none, and
    // other connections would be told of frames still in it (wal_write_buffer.hpp).
    auto sync = writer.prepare("PRAGMA synchronous");
    ASSERT_TRUE(sync.step());
    ASSERT_EQ(sync.int64(0), 2) << "connections must run synchronous=FULL for the WAL buffer";
    sqlite3_vfs* vfs = nullptr;
    ASSERT_EQ(sqlite3_file_control(writer.raw(), "main", SQLITE_FCNTL_VFS_POINTER, &vfs),
              SQLITE_OK);
    ASSERT_NE(vfs, nullptr);
    EXPECT_STREQ(vfs->zName, wal_write_buffer_vfs()) << "sqlite::Handle opens through the buffer";
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    Handle reader(path);
    std::int64_t expected = 0;
    // Small commits (a frame or two), and commits larger than the buffer (80 pages of
    // 4 KiB, more than kWalBufferBytes), in turn; the other connection sees each at once.
    for (int round = 0; round < 20; ++round) {
      const bool large = round % 4 == 3;
      commit_rows(writer, 1, large ? 80 : 3, large ? 4000 : 100);
      expected += large ? 80 : 3;
      ASSERT_EQ(count_rows(reader), expected) << "round " << round;
    }
    // A checkpoint reads the frames back from the WAL through its own file handle.
    writer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    commit_rows(writer, 1, 5, 100);
    expected += 5;
    EXPECT_EQ(count_rows(reader), expected);
  }
  Handle reopened(path);
  EXPECT_EQ(count_rows(reopened), 20 / 4 * 80 + 15 * 3 + 5);
  auto check = reopened.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
}

TEST(WalWriteBuffer, ACommitOfManyPagesMakesAFewWriteCallsNotTwoPerPage) {
  if (write_calls() < 0) GTEST_SKIP() << "no /proc/self/io (task I/O accounting) here";
  TempDir dir;
  // The same commits through SQLite's default VFS and through the buffer: 20 commits of 12
  // pages each (rows of ~4 KB), two write calls per page with the default VFS.
  auto writes_for = [&](const char* vfs, const std::string& name) {
    sqlite3* raw = nullptr;
    const std::string path = (dir.path / name).string();
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                            "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"})
      EXPECT_EQ(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    const long long before = write_calls();
    for (int i = 0; i < 20; ++i) {
      EXPECT_EQ(
          sqlite3_exec(raw,
                       "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                       "WHERE i < 12) INSERT INTO t (body) SELECT printf('%.4000c', 'x') "
                       "FROM n; COMMIT",
                       nullptr, nullptr, nullptr),
          SQLITE_OK);
    }
    const long long calls = write_calls() - before;
    sqlite3_close(raw);
    return calls;
  };
  const long long plain = writes_for(nullptr, "plain.db");
  const long long buffered = writes_for(wal_write_buffer_vfs(), "buffered.db");
  EXPECT_GE(plain, 20 * 12 * 2) << "the default VFS writes a frame's header and page apart";
  EXPECT_LE(buffered, 20 * 3) << "at most a few write calls per commit (default VFS: " << plain
                              << ")";
}

TEST(WalWriteBuffer, AWriteThatFailsUnderTheBufferFailsTheTransactionAndKeepsTheData) {
  TempDir dir;
  const std::string path = (dir.path / "t.db").string();
  Handle db(path);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  commit_rows(db, 1, 10, 100);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");  // the WAL starts empty, the limit bites in it
  // Files may not grow past 256 KiB from now on: writing the WAL fails with EFBIG (SIGXFSZ
  // ignored), as a full disk would fail it.
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto* previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 256 << 10;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool failed = false;
  try {
    commit_rows(db, 1, 200, 4000);  // ~800 KiB of pages in one commit
  } catch (const std::exception&) {
    failed = true;
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous);
  EXPECT_TRUE(failed) << "the commit reported success although its pages were not written";
  try {
    db.exec("ROLLBACK");
  } catch (const std::exception&) {
    // SQLite may have rolled back on its own already
  }
  EXPECT_EQ(count_rows(db), 10);
  commit_rows(db, 1, 5, 100);  // and the database takes writes again
  Handle other(path);
  EXPECT_EQ(count_rows(other), 15);
  auto check = other.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
}

// Raw connections through the buffer (URI file names allowed), with a small page cache so
// that a large transaction writes pages to the WAL before it ends ("spills").
sqlite3* open_raw(const std::string& uri) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(uri.c_str(), &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                            wal_write_buffer_vfs()),
            SQLITE_OK);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"})
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  return db;
}

int run(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
}

std::string one(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return sqlite3_errmsg(db);
  std::string out = sqlite3_step(st) == SQLITE_ROW
                        ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0))
                        : sqlite3_errmsg(db);
  sqlite3_finalize(st);
  return out;
}

const char* kInsert100 =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
    "INSERT INTO t (who, body) SELECT '%s', printf('%%.3000c', '%s') FROM n";

std::string insert100(const char* who) {
  char sql[512];
  std::snprintf(sql, sizeof sql, kInsert100, who, who);
  return sql;
}

// Pages a rolled-back transaction spilled to the WAL must never reach the file later, over
// frames another connection committed at the same offsets -- whether the first connection
// writes again or closes next.
TEST(WalWriteBuffer, PagesOfARolledBackTransactionNeverOverwriteAnotherConnectionsCommit) {
  for (const bool close_next : {false, true}) {
    TempDir dir;
    const std::string path = (dir.path / "t.db").string();
    sqlite3* a = open_raw(path);
    sqlite3* b = open_raw(path);
    ASSERT_EQ(run(a, "CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT, body TEXT)"), SQLITE_OK);
    ASSERT_EQ(run(a, "PRAGMA cache_size=10"), SQLITE_OK);
    ASSERT_EQ(run(a, "BEGIN IMMEDIATE"), SQLITE_OK);
    ASSERT_EQ(run(a, insert100("a")), SQLITE_OK);  // spills: frames written before the end
    ASSERT_EQ(run(a, "ROLLBACK"), SQLITE_OK);
    ASSERT_EQ(run(b, "BEGIN IMMEDIATE"), SQLITE_OK);
    ASSERT_EQ(run(b, insert100("b")), SQLITE_OK);
    ASSERT_EQ(run(b, "COMMIT"), SQLITE_OK);
    if (close_next) {
      sqlite3_close(a);
      a = nullptr;
    } else {
      ASSERT_EQ(run(a, "INSERT INTO t (who, body) VALUES ('a2', 'y')"), SQLITE_OK);
    }
    sqlite3* c = open_raw(path);
    EXPECT_EQ(one(c, "SELECT count(*) FROM t WHERE who = 'b' AND body = printf('%.3000c', 'b')"),
              "100")
        << (close_next ? "after close" : "after a write");
    EXPECT_EQ(one(c, "SELECT count(*) FROM t WHERE who = 'a'"), "0");
    EXPECT_EQ(one(c, "PRAGMA integrity_check"), "ok");
    sqlite3_close(c);
    sqlite3_close(b);
    if (a != nullptr) sqlite3_close(a);
  }
}

// Without powersafe overwrite (URI psow=0) SQLite pads a commit and writes part of the last
// padding frame after the sync that commits it: nothing is buffered then.
TEST(WalWriteBuffer, WithoutPowersafeOverwriteEveryCommitIsReadableAtOnce) {
  TempDir dir;
  const std::string uri = "file:" + (dir.path / "t.db").string() + "?psow=0";
  sqlite3* w = open_raw(uri);
  ASSERT_EQ(run(w, "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"), SQLITE_OK);
  sqlite3* r = open_raw(uri);
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(run(w, "INSERT INTO t (body) VALUES (printf('%.200c', 'z'))"), SQLITE_OK);
  EXPECT_EQ(one(r, "SELECT count(*) FROM t WHERE body = printf('%.200c', 'z')"), "20");
  EXPECT_EQ(one(r, "PRAGMA integrity_check"), "ok");
  sqlite3_close(r);
  sqlite3_close(w);
}

// Exclusive locking mode hides the WAL lock release the buffer relies on: refused, with a
// message naming the setting; NORMAL and the query still work.
TEST(WalWriteBuffer, ExclusiveLockingModeIsRefused) {
  TempDir dir;
  sqlite3* db = open_raw((dir.path / "t.db").string());
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE", nullptr, nullptr, &error),
            SQLITE_ERROR);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("locking_mode=EXCLUSIVE is not supported"), std::string::npos)
      << error;
  sqlite3_free(error);
  EXPECT_EQ(one(db, "PRAGMA locking_mode"), "normal");
  EXPECT_EQ(run(db, "PRAGMA locking_mode=NORMAL"), SQLITE_OK);
  EXPECT_EQ(run(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)"), SQLITE_OK);
  sqlite3_close(db);
}

// A default VFS whose WAL writes fail while `wal_writes_fail` is set (SQLITE_FULL, as the
// unix VFS answers ENOSPC), for the buffer to sit on. It must be the default before the
// buffer's VFS is first used in the process, which ctest gives this test (one process per
// test); run among the others in one process, the test cannot set it up and says so.
bool wal_writes_fail = false;
sqlite3_vfs* unix_vfs = nullptr;
const sqlite3_io_methods* unix_wal_methods = nullptr;
sqlite3_io_methods failing_wal_methods;

int failing_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (wal_writes_fail) return SQLITE_FULL;
  return unix_wal_methods->xWrite(file, data, amount, offset);
}

int failing_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out) {
  const int rc = unix_vfs->xOpen(unix_vfs, name, file, flags, out);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0 && file->pMethods != nullptr) {
    unix_wal_methods = file->pMethods;
    failing_wal_methods = *file->pMethods;
    failing_wal_methods.xWrite = failing_write;
    file->pMethods = &failing_wal_methods;
  }
  return rc;
}

// A write that fails when a read needs the buffer written must end the whole transaction: the
// COMMIT after it never succeeds with those pages missing (SQLITE_FULL there undid only the
// statement, and a later COMMIT made a malformed database).
TEST(WalWriteBuffer, AFlushThatFailsWhenAReadNeedsItEndsTheWholeTransaction) {
  if (sqlite3_vfs_find("todo-wal-buffer") != nullptr)
    GTEST_SKIP() << "the buffer's VFS is already registered over the real default in this "
                    "process; ctest runs this test alone, where it is set up";
  static sqlite3_vfs failing{};
  unix_vfs = sqlite3_vfs_find(nullptr);
  ASSERT_NE(unix_vfs, nullptr);
  failing = *unix_vfs;
  failing.zName = "todo-test-failing-wal";
  failing.xOpen = failing_open;
  failing.pNext = nullptr;
  ASSERT_EQ(sqlite3_vfs_register(&failing, 1), SQLITE_OK);
  TempDir dir;
  const std::string path = (dir.path / "t.db").string();
  sqlite3* db = open_raw(path);
  ASSERT_EQ(run(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT, body TEXT)"), SQLITE_OK);
  ASSERT_EQ(run(db, "CREATE TABLE u (id INTEGER PRIMARY KEY, body TEXT)"), SQLITE_OK);
  ASSERT_EQ(run(db,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) "
                "INSERT INTO u (body) SELECT printf('%.3000c', 'u') FROM n"),
            SQLITE_OK);
  ASSERT_EQ(run(db, "PRAGMA cache_size=10"), SQLITE_OK);
  ASSERT_EQ(run(db, "BEGIN IMMEDIATE"), SQLITE_OK);
  ASSERT_EQ(run(db, insert100("a")), SQLITE_OK);       // spills, the last pages buffered
  EXPECT_EQ(one(db, "SELECT count(*) FROM u"), "60");  // t's pages leave the cache
  wal_writes_fail = true;                              // the disk is full now
  EXPECT_NE(run(db, "INSERT INTO t (id, who, body) SELECT id + 1000, 'c', body FROM t"),
            SQLITE_OK);     // reads t's pages back: the buffer must be written first, and cannot
  wal_writes_fail = false;  // space again
  const int commit = run(db, "COMMIT");
  sqlite3_close(db);
  sqlite3* check = open_raw(path);
  const std::string rows = one(check, "SELECT count(*) FROM t WHERE who = 'a'");
  EXPECT_EQ(one(check, "PRAGMA integrity_check"), "ok") << "COMMIT answered " << commit;
  EXPECT_TRUE(rows == "0" || (commit == SQLITE_OK && rows == "100")) << rows;
  EXPECT_EQ(one(check, "SELECT count(*) FROM t WHERE who = 'c'"), "0");
  sqlite3_close(check);
}

}  // namespace
}  // namespace todo::storage::sqlite

// The WAL write buffer (storage/sqlite/wal_write_buffer.hpp): every connection of
// sqlite::Handle opens its files through it. What a user would notice if it were wrong: a
// committed row missing for another connection or after a restart, a failed write reported
// as a commit, a damaged database; and what it is for: fewer write calls per commit.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <csignal>
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

TEST(WalWriteBuffer, AWriteThatFailsWhenTheBufferIsWrittenFailsTheCommitAndKeepsTheData) {
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

}  // namespace
}  // namespace todo::storage::sqlite

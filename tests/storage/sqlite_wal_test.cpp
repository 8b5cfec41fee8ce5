// Checkpoint starvation (storage/sqlite/sqlite_database.cpp, Checkpointer): with a reader
// transaction always open -- as on a busy server, where reads overlap without pause -- a
// PASSIVE checkpoint never lets the WAL start over, and the WAL file grew without bound
// (6 GB in two minutes of the 1 000-user bench). The Checkpointer's RESTART, once the WAL is
// past wal_restart_bytes and fully copied back, lets the next commit start it over and
// truncate it (journal_size_limit). SQLite only. The 2 ms between reader turns is pacing of
// the workload, not a wait for anything.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/database.hpp"
#include "storage/sqlite/sqlite_handle.hpp"
#include "storage/stream_store.hpp"
#include "storage/sync.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

namespace fs = std::filesystem;

TEST(SqliteWal, StaysBoundedWhileReadersAlwaysOverlap) {
  const fs::path dir = fs::temp_directory_path() / ("todo-wal-" + fixture::random_hex(12));
  fs::create_directories(dir);
  const std::string path = (dir / "todo.db").string();
  constexpr long long kRestartBytes = 256 << 10;
  SqliteOptions options{path, 1, 64};
  options.wal_restart_bytes = kRestartBytes;
  auto db = open_sqlite(options);

  // Two reader connections taking turns so that one read transaction is always open: each
  // begins (and reads, which takes its snapshot) before the other ends.
  std::atomic<bool> stop{false};
  std::thread readers([&] {
    sqlite::Handle a(path), b(path);
    sqlite::Handle* open = &a;
    sqlite::Handle* next = &b;
    open->exec("BEGIN");
    open->prepare("SELECT count(*) FROM stream_events").step();
    while (!stop) {
      next->exec("BEGIN");
      next->prepare("SELECT count(*) FROM stream_events").step();
      open->exec("COMMIT");
      std::swap(open, next);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // pacing, not waiting
    }
    open->exec("COMMIT");
  });

  const std::string payload(4000, 'x');
  auto wal_bytes = [&] {
    std::error_code ec;
    auto size = fs::file_size(path + "-wal", ec);
    return ec ? 0ll : static_cast<long long>(size);
  };
  // 16 MiB written without a pause, 16 rows of 4 kB a transaction, then small writes, still
  // without a pause, until the WAL is back under twice its limit. With readers always holding
  // snapshots that need the WAL, only a RESTART checkpoint lets it start over: without one it
  // stays at 16 MiB or more (measured) and the deadline -- a safety net for a busy machine,
  // not a speed bound -- ends the loop.
  constexpr long long kWritten = 16ll << 20;
  for (long long written = 0; written < kWritten; written += 16 * 4096) {
    auto st = write_and_wait(*db, [&](Tx& tx) {
      for (int k = 0; k < 16; ++k) stream(tx).append("wal-user", "task", payload, 1);
    });
    ASSERT_TRUE(st.ok()) << st.error().detail;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (wal_bytes() > 2 * kRestartBytes && std::chrono::steady_clock::now() < deadline) {
    auto st = write_and_wait(*db, [&](Tx& tx) { stream(tx).append("wal-user", "task", "{}", 1); });
    ASSERT_TRUE(st.ok()) << st.error().detail;
  }
  stop = true;
  readers.join();
  EXPECT_LE(wal_bytes(), 2 * kRestartBytes) << "the WAL never started over";
  db->stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace todo::storage

// open_sqlite / migrate_sqlite: the SQLite shape of Database (one writer thread doing
// group commit, a few reader threads, WAL).
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "core/log.hpp"
#include "storage/migrations.hpp"
#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/task_store.hpp"

namespace todo::storage {
namespace {

int apply_migrations(sqlite::Handle& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  // Every version not applied yet, in order, gaps included: a branch that landed a later
  // migration first must not hide an earlier one from a database already past it.
  std::set<int> applied;
  {
    auto s = db.prepare("SELECT version FROM schema_migrations");
    while (s.step()) applied.insert(int(s.int64(0)));
  }
  int current = applied.empty() ? 0 : *applied.rbegin();
  for (const auto& m : migrations_for("sqlite")) {
    if (applied.count(m.version)) continue;
    // Each migration in its own transaction: a failure leaves the previous version intact.
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(std::string(m.sql).c_str());
      if (m.version == kTaskKeysMigration) sqlite::fill_task_keys(db);
      db.prepare(
            "INSERT INTO schema_migrations (version, name, applied_at) "
            "VALUES (?, ?, CAST(strftime('%s','now') AS INTEGER) * 1000)")
          .bind(1, std::int64_t(m.version))
          .bind(2, m.name)
          .run();
      db.exec("COMMIT");
    } catch (const std::exception& e) {
      db.exec("ROLLBACK");
      throw std::runtime_error("migration " + m.name + " failed: " + e.what());
    }
    log::info("applied migration {}", m.name);
    current = std::max(current, m.version);
  }
  return current;
}

// Runs WAL checkpoints on a thread of its own, so that the single writer never stalls on
// one inside a COMMIT (SQLite's default autocheckpoint runs in the committing thread).
//
// Checkpoint starvation (sqlite.org/wal.html, "Avoiding Excessively Large WAL Files"): a
// PASSIVE checkpoint copies back only the frames every open snapshot already has, and the
// WAL starts over from its beginning only when no reader still reads from it; on a busy
// server some reader always does, and the WAL grew without bound (6 GB in two minutes of the
// 1 000-user bench). So once the WAL is larger than `restart_bytes` this thread asks the
// writer for a RESTART checkpoint (SqliteConnection::between_batches): run there, between two
// batches, it needs no lock a writer holds (from here it would lose the write lock to the
// writer's back-to-back batches every time), waits briefly for the readers of older
// snapshots -- new readers then read the database file, which does not hold the WAL -- and the
// writer's next commit starts the WAL over, truncating its file to journal_size_limit.
class Checkpointer {
 public:
  Checkpointer(const std::string& path, long long restart_bytes,
               std::shared_ptr<std::atomic<bool>> restart_wanted)
      : db_(path), restart_bytes_(restart_bytes), restart_wanted_(std::move(restart_wanted)) {
    auto page = db_.prepare("PRAGMA page_size");
    page_size_ = page.step() ? std::max<long long>(512, page.int64(0)) : 4096;
    page.run();
    thread_ = std::thread([this] { run(); });
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wakeup_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wakeup_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
      lock.unlock();
      try {
        checkpoint();
      } catch (const std::exception& e) {
        log::debug("WAL checkpoint skipped: {}", e.what());
      }
      lock.lock();
    }
  }

  void checkpoint() {
    // PASSIVE: copies what it can without blocking the writer or the readers. Its row:
    // busy, frames in the WAL, frames copied back (-1, -1 when not in WAL mode).
    auto passive = db_.prepare("PRAGMA wal_checkpoint(PASSIVE)");
    if (!passive.step()) return;
    const long long frames = passive.int64(1);
    passive.run();  // finish the statement before the next one
    if (frames > 0 && frames * page_size_ > restart_bytes_)
      restart_wanted_->store(true, std::memory_order_release);
  }

  sqlite::Handle db_;
  long long restart_bytes_;
  std::shared_ptr<std::atomic<bool>> restart_wanted_;
  long long page_size_ = 4096;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

// Below this much free space on the database's file system, storage counts as full for
// /readyz even when a small write (the probe) still fits: the WAL takes a batch of creates
// with their index pages, several hundred KiB, and a server that fails most writes is not
// ready. Measured with statvfs, as an unprivileged writer sees it (f_bavail).
constexpr unsigned long long kFreeSpaceReserve = 4ull << 20;

// The identity of the database file at `path` (device and inode), to notice it being deleted
// or replaced under the running server.
std::optional<std::pair<dev_t, ino_t>> file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

std::optional<unsigned long long> free_bytes(const std::string& db_path) {
  struct statvfs fs {};
  std::string dir = std::filesystem::path(db_path).parent_path().string();
  if (statvfs(dir.empty() ? "." : dir.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
}

// The SQLite Database: the shared pool plus the checkpointer, stopped in that order.
class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<PooledDatabase> pool, const std::string& path,
                 long long wal_restart_bytes, std::shared_ptr<std::atomic<bool>> restart_wanted)
      : pool_(std::move(pool)),
        checkpointer_(
            std::make_unique<Checkpointer>(path, wal_restart_bytes, std::move(restart_wanted))),
        path_(path),
        identity_(file_identity(path)) {}
  ~SqliteDatabase() override { stop(); }
  void write(Work work, Done done) override { pool_->write(std::move(work), std::move(done)); }
  void write_first(Work work, Done done) override {
    pool_->write_first(std::move(work), std::move(done));
  }
  void read(Work work, Done done) override { pool_->read(std::move(work), std::move(done)); }
  bool ping() override { return pool_->ping(); }
  // read_only when the file is no longer the one we opened (every commit would fail:
  // SqliteConnection::commit); else the pool's fault (probed), or full while the file system
  // has less than the reserve.
  StorageFault check_storage() override {
    if (file_identity(path_) != identity_) return StorageFault::read_only;
    const StorageFault fault = pool_->check_storage();
    if (fault != StorageFault::none && fault != StorageFault::full) return fault;
    const std::optional<unsigned long long> free = free_bytes(path_);
    if (free && *free < kFreeSpaceReserve) return StorageFault::full;
    return fault;
  }
  DatabaseStats stats() const override { return pool_->stats(); }
  void set_commit_listener(std::function<void(std::uint32_t)> listener) override {
    pool_->set_commit_listener(std::move(listener));
  }
  void stop() override {
    pool_->stop();
    checkpointer_.reset();  // a last checkpoint ran at most 200 ms ago; SQLite finishes on close
  }

 private:
  std::unique_ptr<PooledDatabase> pool_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::string path_;
  std::optional<std::pair<dev_t, ino_t>> identity_;
};

}  // namespace

int migrate_sqlite(const std::string& path) {
  sqlite::Handle db(path);
  return apply_migrations(db);
}

std::unique_ptr<Database> open_sqlite(const SqliteOptions& options) {
  std::vector<std::unique_ptr<Connection>> writers;
  std::vector<std::unique_ptr<Connection>> readers;
  auto writer = std::make_unique<sqlite::SqliteConnection>(options.path);
  int version = apply_migrations(writer->handle());
  writer->handle().exec("PRAGMA wal_autocheckpoint=0");  // the Checkpointer does it
  // When the WAL starts over (after the Checkpointer's RESTART), its file shrinks to this.
  writer->handle().exec(
      ("PRAGMA journal_size_limit=" + std::to_string(options.wal_restart_bytes)).c_str());
  auto restart_wanted = std::make_shared<std::atomic<bool>>(false);
  writer->restart_wal_when(restart_wanted);
  writers.push_back(std::move(writer));
  readers.reserve(std::size_t(std::max(0, options.reader_threads)));
  for (int i = 0; i < options.reader_threads; ++i)
    readers.push_back(std::make_unique<sqlite::SqliteConnection>(options.path));
  PoolOptions pool{"sqlite", version, options.max_batch};
  auto pooled = std::make_unique<PooledDatabase>(pool, std::move(writers), std::move(readers));
  return std::make_unique<SqliteDatabase>(std::move(pooled), options.path,
                                          options.wal_restart_bytes, std::move(restart_wanted));
}

}  // namespace todo::storage

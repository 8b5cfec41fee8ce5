#include "storage/sqlite/sqlite_connection.hpp"

#include "core/log.hpp"

namespace todo::storage::sqlite {

void SqliteConnection::begin() {
  db_.exec("BEGIN IMMEDIATE");
  tx_.notify_begin();
}

void SqliteConnection::commit() {
  tx_.notify_before_commit();
  // A database file deleted or replaced under the server stays writable through our open
  // descriptor (in WAL mode SQLite does not check), and whatever we commit there is gone at
  // the next start: refuse to acknowledge it (one stat() per batch, beside an fsync).
  int moved = 0;
  if (sqlite3_file_control(db_.raw(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK &&
      moved) {
    DbError e(
        "commit: the database file was deleted or replaced while the server ran; restart it "
        "(nothing of this transaction was written)");
    e.transient = false;
    e.fault = StorageFault::read_only;
    throw e;
  }
  db_.exec("COMMIT");
}

void SqliteConnection::rollback() noexcept {
  tx_.notify_rollback();
  try {
    if (!sqlite3_get_autocommit(db_.raw())) db_.exec("ROLLBACK");
  } catch (...) {
    // A failed rollback leaves SQLite in autocommit already; nothing more to undo.
  }
}

void SqliteConnection::between_batches() noexcept {
  if (!wal_restart_ || !wal_restart_->load(std::memory_order_acquire)) return;
  // RESTART: copy every frame back, then wait for the readers of older snapshots to end so
  // that the next commit starts the WAL over. Here, on the writer between batches, no
  // writer competes for the lock; the wait is bounded by a short busy timeout (a stalled
  // reader must not stall writes), and an unfinished restart is tried again next batch.
  try {
    sqlite3_busy_timeout(db_.raw(), kWalRestartWaitMs);
    auto restart = db_.prepare("PRAGMA wal_checkpoint(RESTART)");
    const bool done = restart.step() && restart.int64(0) == 0;
    restart.run();
    if (done) wal_restart_->store(false, std::memory_order_release);
  } catch (const std::exception& e) {
    log::debug("WAL restart checkpoint skipped: {}", e.what());
  }
  sqlite3_busy_timeout(db_.raw(), kBusyTimeoutMs);
}

bool SqliteConnection::ping() noexcept {
  try {
    db_.exec("SELECT 1");
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace todo::storage::sqlite

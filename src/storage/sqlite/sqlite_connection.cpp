#include "storage/sqlite/sqlite_connection.hpp"

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

bool SqliteConnection::ping() noexcept {
  try {
    db_.exec("SELECT 1");
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace todo::storage::sqlite

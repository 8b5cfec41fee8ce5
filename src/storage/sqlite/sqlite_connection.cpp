#include "storage/sqlite/sqlite_connection.hpp"

namespace todo::storage::sqlite {

void SqliteConnection::begin() {
  db_.exec("BEGIN IMMEDIATE");
  tx_.notify_begin();
}

void SqliteConnection::commit() {
  tx_.notify_before_commit();
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

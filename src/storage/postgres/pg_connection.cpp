#include "storage/postgres/pg_connection.hpp"

namespace todo::storage::postgres {

void PgConnection::begin() {
  tx_.notify_begin();
  db_.exec_script("BEGIN");
}

void PgConnection::commit() {
  // After a failed statement PostgreSQL answers COMMIT with ROLLBACK and no error; a
  // caller that swallowed the DbError must not be told its writes are durable. Checked
  // before the stores' pre-commit work (the outbox flush), whose INSERT would only fail
  // with a vaguer "aborted" error.
  if (db_.transaction_status() == PQTRANS_INERROR) {
    DbError e("commit: the transaction was aborted by an earlier error");
    e.transient = false;
    throw e;
  }
  tx_.notify_before_commit();
  auto rows = db_.exec_script("COMMIT");
  if (rows.command() != "COMMIT") {
    DbError e("commit: the server answered " + std::string(rows.command()));
    e.transient = false;
    throw e;
  }
}

void PgConnection::rollback() noexcept {
  tx_.notify_rollback();
  try {
    if (db_.connected() && db_.transaction_status() != PQTRANS_IDLE) db_.exec_script("ROLLBACK");
  } catch (...) {
    // The server rolls back by itself when the session ends; nothing more to undo.
  }
}

bool PgConnection::ping() noexcept {
  try {
    db_.exec_script("SELECT 1");
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace todo::storage::postgres

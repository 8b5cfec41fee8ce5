#pragma once
// Tx: one transaction on one backend connection, and the door to the feature stores.
//
// The repository is split by feature: each feature has a store interface in
// storage/<feature>_store.hpp (users, tasks, idempotency keys, outbox, audit log,
// processed events, ...) with one implementation per backend in
// storage/sqlite/sqlite_<feature>.cpp and storage/postgres/pg_<feature>.cpp. A feature
// reaches its store with `storage::tasks(tx)`-style accessors, which create the backend's
// implementation on first use and keep it with the connection. A new table therefore touches
// only its own store files and the migrations, never this header.
//
// A Tx is only ever used on a database thread, inside a transaction that the Database
// (database.hpp) opened; store methods are synchronous. Expected outcomes are return values;
// database failures throw storage::DbError, which makes the Database roll back.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace todo::storage {

namespace sqlite {
class Handle;
}
namespace postgres {
class Handle;
}

// Storage that refuses writes for a reason an operator (or time) must fix, not a bug: the
// request is answered 503 with a problem type of its own and Retry-After, and /readyz says
// not ready until a write succeeds again (Database::check_storage, storage/database.hpp).
//   full       no space left (SQLITE_FULL, PostgreSQL 53100 disk_full)
//   read_only  read-only storage or database (SQLITE_READONLY*, e.g. the file deleted or
//              replaced under the server; PostgreSQL 25006, e.g. default_transaction_read_only)
//   io_error   the storage failed an operation (SQLITE_IOERR*, CANTOPEN, CORRUPT, NOTADB;
//              PostgreSQL 58030)
enum class StorageFault { none, full, read_only, io_error };

// "full", "read_only", "io_error" ("ok" for none): the word /readyz reports.
const char* storage_fault_name(StorageFault fault);

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
  bool transient = true;  // connection lost, busy, serialization failure: worth a retry
  StorageFault fault = StorageFault::none;  // set: not transient, answered 503 (see above)
  // A foreign key names a row that is not there (PostgreSQL SQLSTATE 23503, SQLite
  // SQLITE_CONSTRAINT_FOREIGNKEY): e.g. a task written for an account deleted meanwhile.
  bool missing_reference = false;
  // Set by a store that knows what the failure means for the request (a deleted account is a
  // 401, not a 500): the Database completes the unit with this error instead of a 500.
  std::optional<Error> answer;
};

// Base of every feature store. The hooks let a store keep per-transaction state (the
// PostgreSQL outbox buffers its rows until just before COMMIT); they run on every store the
// connection created, in creation order — before_commit() by rank first: the stores of rank 0
// (rows a unit wrote, such as PostgreSQL's buffered task inserts) before those of rank 1 (the
// default: the outbox and live-update log, whose flushes take per-user locks), so that a
// transaction takes its locks in the order its units' statements would have taken them.
class Store {
 public:
  virtual ~Store() = default;
  virtual void on_begin() {}
  virtual void before_commit() {}  // may throw DbError: the transaction then rolls back
  virtual int before_commit_rank() const { return 1; }  // 0 or 1, see above
  virtual void on_rollback() noexcept {}
};

class Tx {
 public:
  explicit Tx(sqlite::Handle& handle) : sqlite_(&handle) {}
  explicit Tx(postgres::Handle& handle) : postgres_(&handle) {}
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  // Exactly one of these is non-null: the backend this transaction runs on.
  sqlite::Handle* sqlite() const { return sqlite_; }
  postgres::Handle* postgres() const { return postgres_; }
  std::string_view backend() const { return sqlite_ ? "sqlite" : "postgres"; }

  // The store S of this connection, made by `S::make(Tx&)` on first use (S derives from
  // Store). Feature headers wrap this in an accessor, e.g. storage::tasks(tx).
  template <class S>
  S& get() {
    const std::type_index key(typeid(S));
    for (auto& [k, store] : stores_)
      if (k == key) return static_cast<S&>(*store);
    std::unique_ptr<S> made = S::make(*this);
    S& ref = *made;
    stores_.emplace_back(key, std::move(made));
    return ref;
  }

  // A trivial query (SELECT 1); throws DbError when the connection is unusable.
  void probe();
  // A small real write (the one row of table write_probe, with a 16 KiB blob on SQLite so
  // that it needs room in the WAL like a task does), inside the current write transaction;
  // throws DbError when storage refuses it.
  void probe_write(long long now_ms);

  // The outbox targets (bits of the rows' pending masks) this transaction wrote rows for
  // (OutboxStore::insert); 0 when it wrote none. After its commit the Database tells the
  // relay (database.hpp set_commit_listener), which wakes only those targets; other commits
  // wake nobody, so that the relay's own claims and acknowledgements never wake it again.
  void note_events_written(std::uint32_t targets) { events_written_ |= targets; }
  std::uint32_t events_written() const { return events_written_; }

  // Called by the backend's Connection around each transaction.
  void notify_begin();
  void notify_before_commit();
  void notify_rollback() noexcept;

 private:
  sqlite::Handle* sqlite_ = nullptr;
  postgres::Handle* postgres_ = nullptr;
  std::vector<std::pair<std::type_index, std::unique_ptr<Store>>> stores_;
  std::uint32_t events_written_ = 0;
};

}  // namespace todo::storage

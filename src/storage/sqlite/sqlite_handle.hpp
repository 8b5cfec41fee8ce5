#pragma once
// RAII wrappers over the SQLite C API: a connection and its prepared statements.
// Statements are cached per connection by SQL text; one connection is used by one thread.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/tx.hpp"

namespace todo::storage::sqlite {

// How long a statement waits for a lock another connection holds (sqlite3_busy_timeout).
inline constexpr int kBusyTimeoutMs = 5000;
// How long the writer's WAL restart waits for readers of older snapshots
// (SqliteConnection::between_batches): writes wait meanwhile.
inline constexpr int kWalRestartWaitMs = 50;

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  // Resetting on scope exit ends the statement's implicit read transaction, which would
  // otherwise pin the WAL and block checkpoints.
  ~Statement() {
    if (stmt_) sqlite3_reset(stmt_);
  }
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  // Binding (1-based indexes, as SQLite).
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, std::nullptr_t);
  Statement& bind(int i, const std::optional<std::int64_t>& v);
  Statement& bind(int i, const std::optional<std::string>& v);
  bool step();  // true when a row is available
  void run();   // steps to completion
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::int64_t> opt_int64(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Handle {
 public:
  // Opens (creating if needed) with WAL, synchronous=FULL, foreign keys on.
  explicit Handle(const std::string& path);
  ~Handle();
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  // A reset, cleared statement from the cache (prepared on first use).
  Statement prepare(const std::string& sql);
  void exec(const char* sql);  // no results; for BEGIN/COMMIT/PRAGMA/migrations
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, Finalize>> cache_;
};

// A JSON array text for a json_each() parameter: id and string lists travel as one
// parameter, so the statement text (and its cache entry) does not depend on their length.
std::string json_array(const std::vector<std::int64_t>& values);
std::string json_array(const std::vector<std::string>& values);

// Throws DbError for a failed call: SQLITE_BUSY/LOCKED count as transient, and the result
// codes of storage_fault_of carry their StorageFault (storage/tx.hpp).
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view what);

// The StorageFault of a (primary or extended) SQLite result code: FULL -> full,
// READONLY* -> read_only, IOERR*, CANTOPEN, CORRUPT, NOTADB -> io_error, others none.
StorageFault storage_fault_of(int rc);

}  // namespace todo::storage::sqlite

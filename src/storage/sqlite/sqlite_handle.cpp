#include "storage/sqlite/sqlite_handle.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

#include "storage/sqlite/wal_write_buffer.hpp"

namespace todo::storage::sqlite {

StorageFault storage_fault_of(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return StorageFault::full;
    case SQLITE_READONLY:  // incl. READONLY_DBMOVED: the file was deleted or replaced
      return StorageFault::read_only;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:  // e.g. the -wal or -shm file cannot be created any more
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StorageFault::io_error;
    default:
      return StorageFault::none;
  }
}

namespace {

// `rc` is the extended result code (sqlite3_extended_errcode), kept in the message for logs.
DbError make_error(int rc, std::string message) {
  message += " (SQLite code " + std::to_string(rc) + ")";
  if (rc == SQLITE_READONLY_DBMOVED)
    message += ": the database file was deleted or replaced while the server ran; restart it";
  DbError e(message);
  const int primary = rc & 0xff;
  e.fault = storage_fault_of(rc);
  e.transient = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  e.missing_reference = rc == SQLITE_CONSTRAINT_FOREIGNKEY;
  return e;
}

}  // namespace

void throw_error(sqlite3* db, int rc, std::string_view what) {
  int extended = db ? sqlite3_extended_errcode(db) : rc;
  if ((extended & 0xff) != (rc & 0xff)) extended = rc;  // the connection's last error is another
  throw make_error(extended,
                   std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}
Statement& Statement::bind(int i, std::nullptr_t) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}
Statement& Statement::bind(int i, const std::optional<std::int64_t>& v) {
  return v ? bind(i, *v) : bind(i, nullptr);
}
Statement& Statement::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view(*v)) : bind(i, nullptr);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_error(db_, rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

std::optional<std::int64_t> Statement::opt_int64(int col) const {
  if (is_null(col)) return std::nullopt;
  return int64(col);
}

std::string Statement::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, sqlite3_column_bytes(stmt_, col)) : std::string();
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

Handle::Handle(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           wal_write_buffer_vfs());
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError("cannot open SQLite database " + path + ": " + msg);
  }
  if (sqlite3_db_readonly(db_, "main") == 1) {
    // SQLite falls back to read-only when the file or its file system is: the service
    // could answer no write, so it does not start on such storage.
    sqlite3_close(db_);
    db_ = nullptr;
    DbError e("cannot open SQLite database " + path +
              " for writing: the file or its file system is read-only");
    e.fault = StorageFault::read_only;
    throw e;
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // WAL: readers never block the writer. synchronous=FULL: a commit is on disk (fsync of
  // the WAL) before it returns, so an answered write survives a power cut; group commit
  // keeps that affordable. The WAL write buffer (wal_write_buffer.hpp) also relies on it: its
  // buffer is written at that sync, before other connections learn of the commit.
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
    exec("PRAGMA temp_store=MEMORY");
    exec("PRAGMA cache_size=-16000");  // 16 MiB per connection
  } catch (const DbError& e) {
    // No destructor runs for a constructor that throws: close here, and name the file.
    sqlite3_close(db_);
    db_ = nullptr;
    DbError named("cannot open SQLite database " + path + ": " + e.what());
    named.transient = e.transient;
    named.fault = e.fault;
    throw named;
  }
}

Handle::~Handle() {
  cache_.clear();
  if (db_) sqlite3_close(db_);
}

Statement Handle::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) throw_error(db_, rc, "prepare");
    it = cache_.emplace(sql, std::unique_ptr<sqlite3_stmt, Finalize>(stmt)).first;
  }
  sqlite3_reset(it->second.get());
  sqlite3_clear_bindings(it->second.get());
  return Statement(db_, it->second.get());
}

void Handle::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    int extended = sqlite3_extended_errcode(db_);
    if ((extended & 0xff) != (rc & 0xff)) extended = rc;
    throw make_error(extended, std::string("SQL failed: ") + msg);
  }
}

std::string json_array(const std::vector<std::int64_t>& values) {
  boost::json::array a;
  a.reserve(values.size());
  for (auto v : values) a.emplace_back(v);
  return boost::json::serialize(a);
}

std::string json_array(const std::vector<std::string>& values) {
  boost::json::array a;
  a.reserve(values.size());
  for (const auto& v : values) a.emplace_back(v);
  return boost::json::serialize(a);
}

}  // namespace todo::storage::sqlite

// open_sqlite / migrate_sqlite: the SQLite shape of Database (one writer thread doing
// group commit, a few reader threads, WAL).
#include <spdlog/spdlog.h>

#include "storage/migrations.hpp"
#include "storage/sqlite/sqlite_tx.hpp"

namespace todo::storage {
namespace {

int apply_migrations(sqlite::Handle& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  int current = 0;
  {
    auto s = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (s.step()) current = int(s.int64(0));
  }
  for (const auto& m : migrations_for("sqlite")) {
    if (m.version <= current) continue;
    // Each migration in its own transaction: a failure leaves the previous version intact.
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(std::string(m.sql).c_str());
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
    spdlog::info("applied migration {}", m.name);
    current = m.version;
  }
  return current;
}

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
  writers.push_back(std::move(writer));
  for (int i = 0; i < options.reader_threads; ++i)
    readers.push_back(std::make_unique<sqlite::SqliteConnection>(options.path));
  PoolOptions pool{"sqlite", version, options.max_batch};
  return std::make_unique<PooledDatabase>(pool, std::move(writers), std::move(readers));
}

}  // namespace todo::storage

// open_postgres / migrate_postgres: the PostgreSQL shape of Database (a few writer
// connections each doing group commit, a pool of reader connections).

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "core/log.hpp"
#include "storage/migrations.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_pipeline.hpp"
#include "storage/task_store.hpp"

namespace todo::storage {
namespace {

// Session-level advisory lock serializing migrations across processes (several instances
// starting at once). Any constant works as long as every version of the service uses it.
constexpr const char* kMigrationLockKey = "7415010373652918";

// Durability does not depend on the server's default: a write is answered after COMMIT,
// so COMMIT must wait for the WAL flush.
// Writers run their prepared statements with generic plans: their statements address rows by
// key or insert batches from arrays (unnest), so no parameter value changes the best plan, yet
// PostgreSQL's choice (`auto`) kept re-planning some of them at every execution (the outbox
// INSERT of a batch with listeners: 8 custom plans in 8 executions) — 7 % of PostgreSQL's CPU
// under the 1 000-user mix (bench/RESULTS.md, issue 16, tenth session). Readers keep `auto`:
// their filters and search patterns may deserve a plan of their own.
constexpr const char* kWriterSession =
    "SET synchronous_commit = on; SET plan_cache_mode = force_generic_plan";

// The outbox relay's writer (Database::write_first) commits without waiting for the flush:
// its transactions are consumers' effects with their dedupe rows and acknowledgements, and
// publishers' acknowledgements — nobody is answered after them. Lost in a PostgreSQL crash
// (the last ~3 × wal_writer_delay), such a transaction is lost whole: its events are still
// pending and are delivered again, effects and dedupe rows alike, exactly as after this
// process crashed before committing (at-least-once beyond the database, e.g. a publish, as
// then). A later synchronous commit of any session flushes it too (the WAL is one sequence),
// so a user's write made after reading its effect never outlives it. Measured: waiting for the
// flush here put one more fsync per relay batch in front of the users' commits (1 000-user
// paced load on PostgreSQL: p99 31 → 51 ms, bench/RESULTS.md, issue 15).
constexpr const char* kRelayWriterSession =
    "SET synchronous_commit = off; SET plan_cache_mode = force_generic_plan";

int apply_migrations(postgres::Handle& db) {
  using postgres::Params;
  // Waits while another process migrates; the lock goes with the session if we die.
  db.exec("SELECT pg_advisory_lock($1::bigint)", Params().add(kMigrationLockKey));
  db.exec_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  // Every version not applied yet, in order, gaps included: a branch that landed a later
  // migration first must not hide an earlier one from a database already past it.
  std::set<int> applied;
  auto done = db.exec("SELECT version FROM schema_migrations");
  for (int i = 0; i < done.size(); ++i) applied.insert(int(done.int64(i, 0)));
  int current = applied.empty() ? 0 : *applied.rbegin();
  for (const auto& m : migrations_for("postgres")) {
    if (applied.count(m.version)) continue;
    // Each migration in its own transaction (PostgreSQL DDL is transactional): a failure
    // leaves the previous version intact.
    db.exec_script("BEGIN");
    try {
      db.exec_script(std::string(m.sql).c_str());
      if (m.version == kTaskKeysMigration) postgres::fill_task_keys(db);
      db.exec(
          "INSERT INTO schema_migrations (version, name, applied_at) "
          "VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
          Params().add(std::int64_t(m.version)).add(m.name));
      db.exec_script("COMMIT");
    } catch (const std::exception& e) {
      try {
        db.exec_script("ROLLBACK");
      } catch (...) {
        // Connection gone: the server rolled back already.
      }
      throw std::runtime_error("PostgreSQL migration " + m.name + " failed: " + e.what());
    }
    log::info("applied migration {}", m.name);
    current = std::max(current, m.version);
  }
  db.exec("SELECT pg_advisory_unlock($1::bigint)", Params().add(kMigrationLockKey));
  return current;
}

// Connection failures come out of Handle as DbError with a password-free message; the
// contract of open_* is a std::runtime_error with one clear line.
template <class F>
auto one_line_errors(F&& f) {
  try {
    return f();
  } catch (const DbError& e) {
    throw std::runtime_error(e.what());
  }
}

int migrate(const std::string& url) {
  postgres::Handle db(url);
  try {
    return apply_migrations(db);
  } catch (const DbError& e) {  // before any migration ran: lock, bookkeeping table
    throw std::runtime_error(std::string("PostgreSQL migrations failed: ") + e.what());
  }
}

}  // namespace

int migrate_postgres(const std::string& url) {
  return one_line_errors([&] { return migrate(url); });
}

std::unique_ptr<Database> open_postgres(const PostgresOptions& options) {
  return one_line_errors([&]() -> std::unique_ptr<Database> {
    // Migrate on a connection of its own, closed afterwards, so that the pool's sessions
    // hold no advisory lock and prepare statements against the final schema.
    int version = migrate(options.url);
    std::vector<std::unique_ptr<Connection>> writers;
    std::vector<std::unique_ptr<Connection>> readers;
    std::string name_sql;
    if (!options.session_name.empty()) {
      // Our own name (app/serve.cpp: host:pid:random), checked rather than escaped.
      for (char c : options.session_name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':' && c != '.' && c != '-' &&
            c != '_')
          throw std::invalid_argument("session name must be [A-Za-z0-9:._-]");
      name_sql = "SET application_name = '" + options.session_name + "'";
    }
    const std::string writer_sql =
        std::string(kWriterSession) + (name_sql.empty() ? "" : "; ") + name_sql;
    const std::string relay_writer_sql =
        std::string(kRelayWriterSession) + (name_sql.empty() ? "" : "; ") + name_sql;
    for (int i = 0; i < std::max(1, options.writer_connections); ++i)
      writers.push_back(std::make_unique<postgres::PgConnection>(options.url, writer_sql));
    for (int i = 0; i < std::max(1, options.reader_connections); ++i)
      readers.push_back(std::make_unique<postgres::PgConnection>(options.url, name_sql));
    std::unique_ptr<Connection> first_writer;
    if (options.first_writer_connection)
      first_writer = std::make_unique<postgres::PgConnection>(options.url, relay_writer_sql);
    PoolOptions pool{"postgres", version, options.max_batch};
    auto db = std::make_unique<PooledDatabase>(pool, std::move(writers), std::move(readers),
                                               std::move(first_writer));
    if (options.pipelined_reads) {
      // Replacement connections open on a reader thread: connecting blocks.
      PooledDatabase* pool_db = db.get();
      auto run_blocking = [pool_db](std::function<void()> work, std::function<void()> refused) {
        // The work catches what it throws: a failed status means the pool did not run it.
        pool_db->read([work = std::move(work)](Tx&) { work(); },
                      [refused = std::move(refused)](const Status& s) {
                        if (!s.ok()) refused();
                      });
      };
      db->set_async_reads(std::make_unique<postgres::PgAsyncReads>(
          options.url, name_sql, options.pipelined_connections, std::move(run_blocking)));
    }
    return db;
  });
}

}  // namespace todo::storage

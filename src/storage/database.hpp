#pragma once
// Database: runs units of work on database threads, never on network I/O threads.
//
// Writes are group-committed: a writer thread takes every queued write unit (up to a
// batch limit), runs them one after another in ONE transaction and commits once; each
// unit's completion is called only after that COMMIT, so an answered write is durable.
// If a unit throws, the batch is rolled back and every unit of it is re-run in a
// transaction of its own, so one bad request never fails the others. Units must
// therefore be safe to re-run (they only touch the Tx and their own result slot).
//
// Reads run on a small pool of reader threads, each with its own connection.
//
// Lifecycle: constructed open and migrated (open_* functions below); stop() refuses new
// work, finishes what is queued (the batch in hand is committed), then joins the threads.
// Thread safety: submit from any thread; completions run on a database thread.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "storage/tx.hpp"

namespace todo::storage {

class AsyncReads;  // storage/async_reads.hpp

using Work = std::function<void(Tx&)>;
// ok, or ErrorKind::unavailable: overload, shutdown, the database unreachable, or a storage
// fault (problem subtype "storage-full", "storage-read-only" or "storage-error", with
// Retry-After); ErrorKind::internal for a bug.
using Done = std::function<void(Status)>;

struct DatabaseStats {
  std::string backend;  // "sqlite" | "postgres"
  int schema_version = 0;
  int connections = 0;       // connections held
  int busy_connections = 0;  // in use right now
  std::size_t queued_writes = 0;
  std::size_t queued_reads = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  // Runs `work` in a write transaction (group-committed with other units on one of the
  // writers), then `done` with the outcome. A user's outbox rows get ids in commit order
  // whichever writer commits them.
  virtual void write(Work work, Done done) = 0;
  // As write(), but never waiting behind the units of write() (PostgreSQL: a writer of its
  // own, PostgresOptions::first_writer_connection; SQLite: the front of the one writer's
  // queue), never refused as overload, and always on the same writer: for the outbox relay, one
  // unit per target at a time, whose wait is every consumer's lag — behind a queue that a closed
  // loop of clients keeps full, the audit trail fell further behind for as long as the load lasted
  // — and whose acknowledgements of shared rows deadlocked when two writers ran them at once
  // (pooled_database.cpp).
  virtual void write_first(Work work, Done done) { write(std::move(work), std::move(done)); }
  virtual void read(Work work, Done done) = 0;
  // Reads that run on the caller's I/O thread without a database thread (PostgreSQL with
  // PostgresOptions::pipelined_reads), or null: then every read is a unit (read()).
  virtual AsyncReads* async_reads() { return nullptr; }
  // Runs a trivial query on a reader connection; false when the database is unreachable.
  virtual bool ping() = 0;
  // Whether storage refuses writes (StorageFault, storage/tx.hpp): the fault of the last
  // write that failed for one, or none once a write has committed since. While a fault is
  // set, each call first runs a small probe write (Tx::probe_write, waiting at most 2 s), so
  // that /readyz sees space return, or the storage become writable, without any traffic.
  // SQLite also reports full while its file system has less than 4 MiB free (a small probe
  // may still fit where a batch of creates does not). Blocks: call it off the I/O threads.
  virtual StorageFault check_storage() = 0;
  virtual DatabaseStats stats() const = 0;
  // Called on the writer thread after each successful commit of a transaction that wrote
  // outbox rows, with the union of their targets' bits (Tx::events_written: it wakes those
  // targets of the outbox relay). Set once, before the first write.
  virtual void set_commit_listener(std::function<void(std::uint32_t targets)> listener) = 0;
  virtual void stop() = 0;
};

struct SqliteOptions {
  std::string path;  // file; created with its directory if missing
  int reader_threads = 2;
  int max_batch = 512;
  // Checkpoint starvation guard (sqlite_database.cpp, Checkpointer): past this many bytes of
  // WAL, fully copied back, a RESTART checkpoint lets the WAL start over, and the file is
  // truncated to this size when it does (journal_size_limit). Tests set it small.
  long long wal_restart_bytes = 64ll << 20;
};

struct PostgresOptions {
  std::string url;  // DATABASE_URL
  int reader_connections = 4;
  int writer_connections = 2;  // each a writer thread doing group commit
  int max_batch = 64;          // a batch holds one round trip per statement: keep it short for p99
  // application_name of every session of this process (at most 63 bytes; empty: libpq's
  // default, "todo"). The outbox relay claims users under this name (OutboxStore::claim), and
  // a claim ends once no session of that name is left: a killed process's claims outlive it
  // exactly as long as one of its transactions may still commit.
  std::string session_name;
  // One more writer connection and thread for Database::write_first (the outbox relay's
  // units), so that they neither wait behind user writes nor hold them up; false: they go to
  // the front of the first writer's queue.
  bool first_writer_connection = true;
  // Task pages read on the I/O threads in libpq's pipeline mode (storage/async_reads.hpp,
  // postgres/pg_pipeline.hpp) rather than as units; pipelined_connections of their
  // connections are opened at start (one per I/O thread that serves task pages), others on
  // demand, on a reader thread.
  bool pipelined_reads = false;
  int pipelined_connections = 0;
};

// Both open, apply pending migrations, and throw std::runtime_error with one clear line
// when that fails.
std::unique_ptr<Database> open_sqlite(const SqliteOptions& options);
std::unique_ptr<Database> open_postgres(const PostgresOptions& options);

// Calls `on_notify` whenever some process sends NOTIFY on `channel` (PostgreSQL LISTEN),
// from a thread of its own with its own connection; reconnects with backoff when the
// connection breaks (and calls `on_notify` once after reconnecting, as notifications may
// have been missed). Destroying it stops the thread.
class NotificationListener {
 public:
  virtual ~NotificationListener() = default;
};
std::unique_ptr<NotificationListener> listen_postgres(const std::string& url, std::string channel,
                                                      std::function<void()> on_notify);
// The same, one call per notification with its payload; and `on_notify(std::nullopt)` after
// every connect, the first one included (LISTEN is in place from then on: whatever was sent
// before may have been missed, so read the whole state then).
std::unique_ptr<NotificationListener> listen_postgres_payloads(
    const std::string& url, std::string channel,
    std::function<void(const std::optional<std::string>& payload)> on_notify);

// Applies pending migrations and returns the schema version (for `todo migrate`).
int migrate_sqlite(const std::string& path);
int migrate_postgres(const std::string& url);

}  // namespace todo::storage

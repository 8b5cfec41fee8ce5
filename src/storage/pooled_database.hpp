#pragma once
// PooledDatabase: the threads behind Database (see database.hpp for the contract), shared
// by both backends. A backend only supplies Connections.
//
// Threads: one writer thread per writer connection (SQLite: exactly one, the single
// writer; PostgreSQL: a few), one reader thread per reader connection. Queues are
// bounded: past `max_queue` queued units, submissions fail fast with `unavailable`
// (the HTTP layer answers 503 + Retry-After) instead of growing without limit.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/database.hpp"

namespace todo::storage {

// One backend connection. Used by one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual void begin() = 0;  // start a write transaction
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  virtual Tx& tx() = 0;
  virtual bool ping() noexcept = 0;
  // Re-establish a broken connection (PostgreSQL); false when still unreachable.
  virtual bool reconnect() noexcept { return true; }
  // Called by a writer thread between two batches, outside any transaction: upkeep that
  // must run on the writing connection (SQLite: the WAL restart, sqlite_database.cpp).
  virtual void between_batches() noexcept {}
};

struct PoolOptions {
  std::string backend;
  int schema_version = 0;
  int max_batch = 256;
  std::size_t max_queue = 100000;
};

class PooledDatabase final : public Database {
 public:
  // `writers` run write(); `first_writer` (may be null) runs write_first() on a thread and a
  // queue of its own, so that the outbox relay's units never wait for a writer that user
  // writes keep busy (PostgreSQL); without one, write_first() goes to the front of the first
  // writer's queue (SQLite: the single writer).
  PooledDatabase(PoolOptions options, std::vector<std::unique_ptr<Connection>> writers,
                 std::vector<std::unique_ptr<Connection>> readers,
                 std::unique_ptr<Connection> first_writer = nullptr);
  ~PooledDatabase() override;

  void write(Work work, Done done) override;
  void write_first(Work work, Done done) override;
  void read(Work work, Done done) override;
  AsyncReads* async_reads() override { return async_reads_.get(); }
  // Set once, before the first read: the backend's reads without a database thread.
  void set_async_reads(std::unique_ptr<AsyncReads> reads);
  bool ping() override;
  StorageFault check_storage() override;
  DatabaseStats stats() const override;
  void set_commit_listener(std::function<void(std::uint32_t)> listener) override {
    commit_listener_ = std::move(listener);
  }
  void stop() override;

 private:
  struct Job {
    Work work;
    Done done;
  };
  struct Queue {
    mutable std::mutex mutex;
    std::condition_variable ready;
    std::deque<Job> jobs;
  };

  // Where a job goes: at the back within the max_queue bound (write, read), or past the bound
  // (write_first) at the front of a queue it shares with write()'s units or at the back of its
  // own writer's queue (in order among the relay's units).
  enum class Place { back, front_unbounded, back_unbounded };
  bool enqueue(Queue& queue, Job job, Place place = Place::back);
  Queue& next_write_queue();
  void writer_loop(Connection& conn, Queue& queue);
  void reader_loop(Connection& conn);
  void run_batch(Connection& conn, std::vector<Job>& batch);
  void run_alone(Connection& conn, Job& job);
  // A unit failed with `e`: the Error its request gets (storage faults remembered).
  Error failure(const DbError& e, const char* what);
  // After every successful COMMIT: clears a storage fault; wakes the commit listener when the
  // transaction wrote outbox rows.
  void committed(std::uint32_t events_written);

  PoolOptions options_;
  std::vector<std::unique_ptr<Connection>> writers_;  // write()'s, then write_first()'s own if any
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<std::unique_ptr<Queue>> write_queues_;  // one per writer, in the same order
  std::size_t user_writers_ = 0;                      // how many of them write() uses
  bool own_first_writer_ = false;                     // the last one is write_first()'s
  std::function<void(std::uint32_t)> commit_listener_;
  Queue read_queue_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> busy_{0};
  std::atomic<StorageFault> storage_fault_{StorageFault::none};
  std::vector<std::thread> threads_;
  // Last: destroyed first, once stop() joined the threads that may still open its connections.
  std::unique_ptr<AsyncReads> async_reads_;
};

}  // namespace todo::storage

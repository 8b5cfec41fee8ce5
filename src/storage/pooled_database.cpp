#include "storage/pooled_database.hpp"

#include <chrono>
#include <stdexcept>

#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/async_reads.hpp"

namespace todo::storage {
namespace {

Error unavailable(std::string detail) {
  Error e = Error::make(ErrorKind::unavailable, std::move(detail));
  e.retry_after_seconds = 1;
  return e;
}

// Storage faults last until an operator acts (frees space, remounts read-write): clients
// are asked to come back in half a minute rather than every second.
constexpr int kStorageRetryAfterSeconds = 30;

Error storage_error(StorageFault fault) {
  Error e = Error::make(ErrorKind::unavailable, "");
  e.retry_after_seconds = kStorageRetryAfterSeconds;
  switch (fault) {
    case StorageFault::full:
      e.subtype = "storage-full";
      e.title = "Storage full";
      e.detail = "the database storage is full: nothing was written; retry once space is freed";
      break;
    case StorageFault::read_only:
      e.subtype = "storage-read-only";
      e.title = "Storage read-only";
      e.detail =
          "the database refuses writes (read-only storage or database): nothing was "
          "written; retry later";
      break;
    case StorageFault::io_error:
    case StorageFault::none:
      e.subtype = "storage-error";
      e.title = "Storage error";
      e.detail = "the database storage failed: nothing was written; retry later";
      break;
  }
  return e;
}

Millis now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Marks a connection busy for the metrics while a unit runs.
struct BusyGuard {
  std::atomic<int>& busy;
  explicit BusyGuard(std::atomic<int>& b) : busy(b) { ++busy; }
  ~BusyGuard() { --busy; }
};

}  // namespace

PooledDatabase::PooledDatabase(PoolOptions options,
                               std::vector<std::unique_ptr<Connection>> writers,
                               std::vector<std::unique_ptr<Connection>> readers,
                               std::unique_ptr<Connection> first_writer)
    : options_(std::move(options)),
      writers_(std::move(writers)),
      readers_(std::move(readers)),
      user_writers_(writers_.size()),
      own_first_writer_(first_writer != nullptr) {
  if (writers_.empty()) throw std::logic_error("PooledDatabase needs a writer");
  if (first_writer) writers_.push_back(std::move(first_writer));
  for (auto& conn : writers_) {
    write_queues_.push_back(std::make_unique<Queue>());
    threads_.emplace_back(
        [this, c = conn.get(), q = write_queues_.back().get()] { writer_loop(*c, *q); });
  }
  for (auto& conn : readers_) threads_.emplace_back([this, c = conn.get()] { reader_loop(*c); });
}

PooledDatabase::~PooledDatabase() {
  stop();
}

void PooledDatabase::set_async_reads(std::unique_ptr<AsyncReads> reads) {
  async_reads_ = std::move(reads);
}

bool PooledDatabase::enqueue(Queue& queue, Job job, Place place) {
  {
    std::lock_guard lock(queue.mutex);
    if (stopping_) {
      job.done(unavailable("the server is shutting down"));
      return false;
    }
    if (place == Place::front_unbounded) {
      queue.jobs.push_front(std::move(job));
    } else if (place == Place::back && queue.jobs.size() >= options_.max_queue) {
      job.done(unavailable("the database is overloaded; retry shortly"));
      return false;
    } else {
      queue.jobs.push_back(std::move(job));
    }
  }
  queue.ready.notify_one();
  return true;
}

// Writes spread over the writers. One user's events still get outbox ids in commit order,
// whichever writer runs them (PostgreSQL takes a per-user lock, pg_outbox.cpp).
PooledDatabase::Queue& PooledDatabase::next_write_queue() {
  std::size_t index = 0;
  if (user_writers_ > 1) {
    thread_local std::size_t next = 0;
    index = next++ % user_writers_;
  }
  return *write_queues_[index];
}

void PooledDatabase::write(Work work, Done done) {
  enqueue(next_write_queue(), Job{std::move(work), std::move(done)});
}

// Always one writer: the outbox relay's units of several targets acknowledge rows they share
// (UPDATE/DELETE of one outbox row by each target), and two of them in transactions of two
// writers at once locked those rows in different orders — a deadlock that PostgreSQL breaks
// only after deadlock_timeout (1 s), which every write of both batches waited for. On one
// writer they share a transaction or follow each other.
// Which one: write_first()'s own when there is one (PostgreSQL). On a writer shared with user
// writes, a consumer whose unit makes many round trips (the recurrence consumer: seven
// statements per next occurrence) held the creates of that writer's batches for as long,
// and creates beside 500 recurring completions/s fell to 72-78 % (bench/RESULTS.md, issue 10).
void PooledDatabase::write_first(Work work, Done done) {
  if (own_first_writer_)
    enqueue(*write_queues_.back(), Job{std::move(work), std::move(done)}, Place::back_unbounded);
  else
    enqueue(*write_queues_.front(), Job{std::move(work), std::move(done)}, Place::front_unbounded);
}

void PooledDatabase::read(Work work, Done done) {
  enqueue(read_queue_, Job{std::move(work), std::move(done)});
}

void PooledDatabase::writer_loop(Connection& conn, Queue& queue) {
  std::vector<Job> batch;
  for (;;) {
    {
      std::unique_lock lock(queue.mutex);
      queue.ready.wait(lock, [&] { return stopping_ || !queue.jobs.empty(); });
      // On stop, queued writes are still committed: the loop only ends once empty.
      if (queue.jobs.empty()) return;
      while (!queue.jobs.empty() && batch.size() < std::size_t(options_.max_batch)) {
        batch.push_back(std::move(queue.jobs.front()));
        queue.jobs.pop_front();
      }
    }
    BusyGuard guard(busy_);
    run_batch(conn, batch);
    batch.clear();
    conn.between_batches();
  }
}

// Group commit: every unit of the batch in one transaction, answered after one COMMIT.
void PooledDatabase::run_batch(Connection& conn, std::vector<Job>& batch) {
  if (batch.size() == 1) return run_alone(conn, batch.front());
  try {
    conn.begin();
    for (auto& job : batch) job.work(conn.tx());
    conn.commit();
    committed(conn.tx().events_written());
  } catch (const DbError& e) {
    conn.rollback();
    if (e.fault != StorageFault::none) {
      // Storage refuses every write alike: re-running the units one by one would only
      // hammer it. None of them was committed, and none is acknowledged.
      const Error error = failure(e, "write batch");
      for (auto& job : batch) job.done(error);
      return;
    }
    log::debug("write batch of {} rolled back ({}); re-running units one by one", batch.size(),
               e.what());
    for (auto& job : batch) run_alone(conn, job);
    return;
  } catch (const std::exception& e) {
    // One unit failed (or the commit did): nothing of the batch is kept; re-run each unit
    // on its own so that only the faulty one fails.
    conn.rollback();
    log::debug("write batch of {} rolled back ({}); re-running units one by one", batch.size(),
               e.what());
    for (auto& job : batch) run_alone(conn, job);
    return;
  }
  for (auto& job : batch) job.done(Status(Unit{}));
}

void PooledDatabase::run_alone(Connection& conn, Job& job) {
  for (int attempt = 0;; ++attempt) {
    try {
      conn.begin();
      job.work(conn.tx());
      conn.commit();
      committed(conn.tx().events_written());
      job.done(Status(Unit{}));
      return;
    } catch (const DbError& e) {
      conn.rollback();
      if (e.answer) {  // a state the request itself met (e.g. its account is gone): not a fault
        log::debug("write unit refused: {}", e.what());
        job.done(*e.answer);
        return;
      }
      if (e.transient && attempt < 2 && conn.reconnect()) continue;
      job.done(failure(e, "write"));
      return;
    } catch (const std::exception& e) {
      conn.rollback();
      log::error("write unit failed: {}", e.what());
      job.done(Error::make(ErrorKind::internal, "internal error"));
      return;
    }
  }
}

void PooledDatabase::reader_loop(Connection& conn) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(read_queue_.mutex);
      read_queue_.ready.wait(lock, [&] { return stopping_ || !read_queue_.jobs.empty(); });
      if (read_queue_.jobs.empty()) return;
      job = std::move(read_queue_.jobs.front());
      read_queue_.jobs.pop_front();
    }
    BusyGuard guard(busy_);
    for (int attempt = 0;; ++attempt) {
      try {
        job.work(conn.tx());
        job.done(Status(Unit{}));
        break;
      } catch (const DbError& e) {
        if (e.answer) {
          job.done(*e.answer);
          break;
        }
        if (e.transient && attempt < 2 && conn.reconnect()) continue;
        job.done(failure(e, "read"));
        break;
      } catch (const std::exception& e) {
        log::error("read unit failed: {}", e.what());
        job.done(Error::make(ErrorKind::internal, "internal error"));
        break;
      }
    }
  }
}

Error PooledDatabase::failure(const DbError& e, const char* what) {
  if (e.fault == StorageFault::none) {
    log::error("database {} failed: {}", what, e.what());
    return e.transient ? unavailable("the database is unavailable; retry shortly")
                       : Error::make(ErrorKind::internal, "database error");
  }
  // Remembered for /readyz (reads that fail this way say the same about the storage). Logged
  // at error level once per episode: a full disk fails every write until space is freed.
  if (storage_fault_.exchange(e.fault) != e.fault)
    log::error("database {} failed, storage {}: {}", what, storage_fault_name(e.fault), e.what());
  else
    log::debug("database {} failed: {}", what, e.what());
  return storage_error(e.fault);
}

void PooledDatabase::committed(std::uint32_t events_written) {
  if (storage_fault_.load(std::memory_order_relaxed) != StorageFault::none &&
      storage_fault_.exchange(StorageFault::none) != StorageFault::none) {
    log::warn("database writes succeed again");
  }
  if (events_written && commit_listener_) commit_listener_(events_written);
}

StorageFault PooledDatabase::check_storage() {
  if (storage_fault_.load() == StorageFault::none) return StorageFault::none;
  // A probe through the write queue: when it commits, committed() clears the fault.
  auto result = std::make_shared<std::promise<void>>();
  auto future = result->get_future();
  write([](Tx& tx) { tx.probe_write(now_ms()); }, [result](const Status&) { result->set_value(); });
  future.wait_for(std::chrono::seconds(2));
  return storage_fault_.load();
}

bool PooledDatabase::ping() {
  // Goes through the read queue so that it never races a reader thread on its connection.
  auto result = std::make_shared<std::promise<bool>>();
  auto future = result->get_future();
  read([](Tx& tx) { tx.probe(); }, [result](const Status& st) { result->set_value(st.ok()); });
  if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) return false;
  return future.get();
}

DatabaseStats PooledDatabase::stats() const {
  DatabaseStats s;
  s.backend = options_.backend;
  s.schema_version = options_.schema_version;
  s.connections = int(writers_.size() + readers_.size());
  s.busy_connections = busy_;
  for (const auto& queue : write_queues_) {
    std::lock_guard lock(queue->mutex);
    s.queued_writes += queue->jobs.size();
  }
  {
    std::lock_guard lock(read_queue_.mutex);
    s.queued_reads = read_queue_.jobs.size();
  }
  return s;
}

void PooledDatabase::stop() {
  {
    // Every queue lock is taken so that no enqueue can slip in after the flag flips.
    std::vector<std::unique_lock<std::mutex>> locks;
    for (auto& queue : write_queues_) locks.emplace_back(queue->mutex);
    locks.emplace_back(read_queue_.mutex);
    if (stopping_.exchange(true)) return;
  }
  for (auto& queue : write_queues_) queue->ready.notify_all();
  read_queue_.ready.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace todo::storage

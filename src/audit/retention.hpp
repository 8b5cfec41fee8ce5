#pragma once
// RetentionJob: a background thread that, every `interval`, deletes audit rows older than
// `retention` in bounded batches (each its own short transaction, so the writer is never
// held long), and expired Idempotency-Keys (24 h).
// Lifecycle: start() after the database is open, stop() before it closes.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::audit {

class RetentionJob {
 public:
  RetentionJob(storage::Database& db, ops::Metrics& metrics, std::chrono::seconds retention,
               std::chrono::seconds interval, int batch_rows = 1000);
  ~RetentionJob();
  void start();
  void stop();
  // One full pass now (also used by tests through the storage layer).
  int run_once();

 private:
  storage::Database& db_;
  ops::Metrics& metrics_;
  std::chrono::seconds retention_;
  std::chrono::seconds interval_;
  int batch_rows_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace todo::audit

#pragma once
// RetentionJob: the audit module's worker. A background thread that, every `interval`,
// deletes audit rows older than `retention` in bounded batches (each its own short
// transaction, so the writer is never held long), the consumers' dedupe rows
// (processed_events) older than the same window — a broker keeps events no longer than that,
// so none older can come again — and expired Idempotency-Keys (24 h).
// Lifecycle: start() after the database is open, stop() before it closes.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/module.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::audit {

class RetentionJob final : public app::Worker {
 public:
  RetentionJob(storage::Database& db, ops::Metrics& metrics, std::chrono::seconds retention,
               std::chrono::seconds interval, int batch_rows = 1000);
  ~RetentionJob() override;
  std::string_view name() const override { return "audit-retention"; }
  void start() override;
  void stop() override;
  // One full pass now (also used by tests through the storage layer).
  int run_once();

 private:
  // Runs purge(tx), a bounded DELETE returning its row count, until a batch comes back short
  // or the job stops; returns the rows removed.
  template <class Purge>
  int purge_in_batches(Purge purge);

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

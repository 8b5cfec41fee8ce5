#pragma once
// RetentionJob: the audit module's worker. A background thread that, every `interval`,
// removes audit rows older than `retention`, the consumers' dedupe rows (processed_events)
// older than the same window — a broker keeps events no longer than that, so none older can
// come again — and expired Idempotency-Keys (24 h). Row deletes go in bounded batches, each
// its own short transaction, so the writer is never held long.
//
// Where audit_log has day partitions (PostgreSQL, storage/audit_store.hpp) each pass also
// creates the partitions of today and the next kPartitionDaysAhead days, and drops the
// partitions of the days that ended before the cutoff, whole. With a retention of a day or
// more, rows in day partitions go only that way: a day's events are kept until the whole
// day is past the retention (between `retention` and `retention` + 1 day), since deleting
// the rows of the day the cutoff falls in one by one would cost as much as before
// partitioning. Rows outside day partitions (the default partition's strays) are deleted
// row by row at the exact cutoff. A retention under a day keeps the exact row-by-row delete
// everywhere (keeping a whole extra day would multiply what it keeps). SQLite: row by row.
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
  // Days after today whose audit partitions each pass makes sure exist: an outage of the job
  // this long still finds every event's day ready.
  static constexpr int kPartitionDaysAhead = 3;

  RetentionJob(storage::Database& db, ops::Metrics& metrics, std::chrono::seconds retention,
               std::chrono::seconds interval, int batch_rows = 1000);
  ~RetentionJob() override;
  std::string_view name() const override { return "audit-retention"; }
  void start() override;
  void stop() override;
  // One full pass now (also used by tests through the storage layer); returns the rows
  // deleted row by row (not those of dropped partitions).
  int run_once();

 private:
  // Runs purge(tx), a bounded DELETE returning its row count, until a batch comes back short
  // or the job stops; returns the rows removed.
  template <class Purge>
  int purge_in_batches(Purge purge);
  // Creates the partitions ahead and drops those past `cutoff` (PostgreSQL); whether audit_log
  // has day partitions. A failure (audit_log locked too long) is logged: the next pass retries.
  bool maintain_partitions(Millis cutoff);

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

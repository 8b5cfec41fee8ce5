#include "audit/retention.hpp"

#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/audit_store.hpp"
#include "storage/idempotency_store.hpp"
#include "storage/processed_event_store.hpp"
#include "storage/sync.hpp"

namespace todo::audit {

RetentionJob::RetentionJob(storage::Database& db, ops::Metrics& metrics,
                           std::chrono::seconds retention, std::chrono::seconds interval,
                           int batch_rows)
    : db_(db),
      metrics_(metrics),
      retention_(retention),
      interval_(interval),
      batch_rows_(batch_rows) {
  metrics_.describe("todo_audit_purged_total", "counter",
                    "Audit rows removed by retention row by row (whole days dropped as "
                    "partitions are counted by todo_audit_partitions_dropped_total).");
  metrics_.add("todo_audit_purged_total", "", 0);
  metrics_.describe("todo_audit_partitions_created_total", "counter",
                    "Day partitions of audit_log created ahead by retention (PostgreSQL).");
  metrics_.add("todo_audit_partitions_created_total", "", 0);
  metrics_.describe("todo_audit_partitions_dropped_total", "counter",
                    "Day partitions of audit_log dropped whole by retention (PostgreSQL).");
  metrics_.add("todo_audit_partitions_dropped_total", "", 0);
}

RetentionJob::~RetentionJob() {
  stop();
}

void RetentionJob::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        run_once();
      } catch (const std::exception& e) {
        log::warn("audit retention pass failed: {}", e.what());
      }
      lock.lock();
      wakeup_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void RetentionJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

template <class Purge>
int RetentionJob::purge_in_batches(Purge purge) {
  int total = 0;
  for (;;) {
    int deleted = 0;
    auto status = storage::write_and_wait(db_, [&](storage::Tx& tx) { deleted = purge(tx); });
    if (!status) throw std::runtime_error(status.error().detail);
    total += deleted;
    if (deleted < batch_rows_) break;
    std::lock_guard lock(mutex_);
    if (stopping_) break;
  }
  return total;
}

bool RetentionJob::maintain_partitions(Millis cutoff) {
  // A read to ask: on SQLite this pass then writes nothing but its batched deletes.
  bool partitioned = false;
  auto status = storage::read_and_wait(
      db_, [&](storage::Tx& tx) { partitioned = storage::audit_log(tx).has_day_partitions(); });
  if (!status) throw std::runtime_error(status.error().detail);
  if (!partitioned) return false;
  int created = 0;
  status = storage::write_and_wait(db_, [&](storage::Tx& tx) {
    created = storage::audit_log(tx).create_day_partitions(now_millis(), 1 + kPartitionDaysAhead);
  });
  if (!status)
    log::warn("audit retention could not create partitions ahead: {}", status.error().detail);
  else if (created > 0)
    metrics_.add("todo_audit_partitions_created_total", "", created);
  // A transaction of its own: a drop that cannot have its lock must not undo the creation.
  std::vector<storage::DroppedPartition> dropped;
  status = storage::write_and_wait(
      db_, [&](storage::Tx& tx) { dropped = storage::audit_log(tx).drop_day_partitions(cutoff); });
  if (!status) {
    // (what the unit saw was rolled back)
    log::warn("audit retention could not drop old partitions: {}", status.error().detail);
    return true;
  }
  for (const auto& d : dropped)
    log::info("audit retention dropped partition {} (about {} events)", d.name, d.estimated_rows);
  if (!dropped.empty()) metrics_.add("todo_audit_partitions_dropped_total", "", dropped.size());
  return true;
}

int RetentionJob::run_once() {
  Millis cutoff = now_millis() - Millis(retention_.count()) * 1000;
  const bool by_day = maintain_partitions(cutoff) && retention_ >= std::chrono::hours(24);
  int total = purge_in_batches([&](storage::Tx& tx) {
    auto& audit = storage::audit_log(tx);
    return by_day ? audit.purge_outside_day_partitions(cutoff, batch_rows_)
                  : audit.purge(cutoff, batch_rows_);
  });
  purge_in_batches(
      [&](storage::Tx& tx) { return storage::processed_events(tx).purge(cutoff, batch_rows_); });
  storage::write_and_wait(db_, [&](storage::Tx& tx) {
    storage::idempotency_keys(tx).purge(now_millis() - 24LL * 3600 * 1000);
  });
  if (total > 0) {
    metrics_.add("todo_audit_purged_total", "", total);
    log::info("audit retention removed {} events older than {}", total, format_rfc3339(cutoff));
  }
  return total;
}

}  // namespace todo::audit

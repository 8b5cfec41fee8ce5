#pragma once
// OutboxRelay: the embedded event bus of the single-binary shape. It reads outbox rows
// (storage/tx.hpp) and hands them to each registered Subscriber; a row leaves the outbox
// once every subscriber acknowledged it (one bit per subscriber in pending_mask).
//
// Threads: one per subscriber, so a subscriber that keeps failing is retried (exponential
// backoff with jitter, capped) without holding up the others; its backlog stays in the
// outbox, visible in /metrics. Threads sleep until a commit wakes them (the Database's
// commit listener; no busy polling) or their backoff ends; under load each wake-up takes
// a batch of up to `batch_size` rows.
//
// Lifecycle: add() every subscriber, then start(); stop() finishes the batch in hand and
// joins. Undelivered rows simply stay in the outbox for the next start: nothing is dropped.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/subscriber.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::bus {

struct RelayOptions {
  int batch_size = 500;
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds idle_check{5000};  // safety net re-check when nothing woke us
  // After a wake-up, wait this long so that one read and one acknowledgement carry the
  // events of several commits (under load a commit lands every millisecond or so).
  std::chrono::milliseconds gather{5};
  // How often a subscriber that is not accepting (Subscriber::accepting) is asked again.
  std::chrono::milliseconds paused_check{250};
  // Non-empty: several processes may relay this outbox (PostgreSQL, api replicas). Each
  // batch is then claimed (Tx::claim_outbox) under this holder name, so that a user's
  // events go out from one process at a time, in order, and none twice; the claim ends
  // with the acknowledgement, or by itself after `claim_lease` if this process dies.
  std::string claim_holder;
  std::chrono::milliseconds claim_lease{30000};
};

class OutboxRelay {
 public:
  OutboxRelay(storage::Database& db, ops::Metrics& metrics, RelayOptions options = {});
  ~OutboxRelay();

  // Registers a subscriber and returns its bit. At most 31 subscribers.
  std::uint32_t add(std::shared_ptr<Subscriber> subscriber);
  // The outbox mask for new events: every registered subscriber's bit.
  std::uint32_t mask() const { return mask_; }

  void start();
  void wake();  // called after commits
  void stop();

  // Oldest pending row's age in seconds (0 when none); queries the database.
  double oldest_pending_age_seconds();

 private:
  struct Slot {
    std::shared_ptr<Subscriber> subscriber;
    std::uint32_t bit = 0;
    bool woken = true;  // check the outbox on start
    std::thread thread;
  };
  void run(Slot& slot);
  bool deliver_once(Slot& slot);  // true: delivered a full batch, more may wait
  Status take_batch(Slot& slot, Batch& batch);
  void release_claims(Slot& slot);
  std::vector<ops::Metrics::GaugeSample> outbox_gauges();

  storage::Database& db_;
  ops::Metrics& metrics_;
  RelayOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::uint32_t mask_ = 0;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::atomic<bool> stopping_{false};
};

}  // namespace todo::bus

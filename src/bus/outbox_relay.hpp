#pragma once
// OutboxRelay: reads outbox rows (storage/outbox_store.hpp) in commit order and hands them
// to its targets: local Consumers (the embedded event bus of the single binary; their effect
// commits in the same transaction as the acknowledgement, through ConsumerRunner) and
// Publishers (an external bus: the Dapr sidecar). A row leaves the outbox once every target
// it was addressed to acknowledged it (one bit per target in pending_mask; bits belong to
// target names, see OutboxStore::target_bit).
//
// Threads: one per target, so a target that keeps failing is retried (exponential backoff
// with jitter, capped) without holding up the others; its backlog stays in the outbox,
// visible in /metrics. Threads sleep until a commit wakes them (the Database's commit
// listener, or LISTEN on PostgreSQL; no busy polling) or their backoff ends; under load each
// wake-up takes a batch of up to `batch_size` rows (a consumer whose batches come full takes
// twice as many the next time, up to 8 times as many), and the relay's units never wait
// behind the users' writes (Database::write_first: a writer of their own on PostgreSQL, the
// front of the single writer's queue on SQLite).
//
// A consumer's retry_later for some events of a batch acknowledges the others; those events
// keep their bit and come first in the next batch after the backoff.
//
// Lifecycle: add() every target, then start() (resolves the targets' bits, a write unit, and
// tells the OutboxWriter which events to address to whom; throws std::runtime_error when the
// database cannot be reached); stop() finishes the batch in hand and joins. Undelivered rows
// stay in the outbox for the next start: nothing is dropped.
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

#include "bus/consumer.hpp"
#include "bus/consumer_runner.hpp"
#include "bus/gather_policy.hpp"
#include "bus/outbox_writer.hpp"
#include "bus/publisher.hpp"
#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::bus {

struct RelayOptions {
  int batch_size = 500;
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds idle_check{5000};  // safety net re-check when nothing woke us
  // After a wake-up, wait at least `gather` so that one read and one acknowledgement carry the
  // events of several commits, and longer as a target's events come faster, up to `max_gather`
  // (bus/gather_policy.hpp: 1 ms more per event per millisecond). Short when events come
  // slowly: the relay's units never queue behind users' writes (Database::write_first), so a
  // batch also takes what committed while the previous one ran; a fixed 5 ms here cost the audit
  // 3 ms of mean lag at 1 000 operations/s, a fixed 1 ms cost PostgreSQL creates ~8 % at full
  // load (bench/RESULTS.md, issue 15).
  std::chrono::milliseconds gather{1};
  std::chrono::milliseconds max_gather{10};
  // How often a publisher that is not accepting (Publisher::accepting) is asked again.
  std::chrono::milliseconds paused_check{250};
  // Non-empty: several processes may relay this outbox (PostgreSQL, api replicas). A
  // publisher's batch is then claimed (OutboxStore::claim) under this holder name, so that a
  // user's events go out from one process at a time, in order, and none twice; the claim
  // ends with the acknowledgement, or by itself after `claim_lease` if this process dies. A
  // local consumer's batch needs no claim: it is taken in the transaction that handles and
  // acknowledges it (OutboxStore::take), under the target's lock.
  std::string claim_holder;
  std::chrono::milliseconds claim_lease{30000};
  // The target that inherits the outbox bit of rows written before bits had names
  // (storage::kLegacyOutboxTarget): the only target of that time in this shape.
  std::string legacy_heir;
};

class OutboxRelay {
 public:
  OutboxRelay(storage::Database& db, ops::Metrics& metrics, OutboxWriter& writer,
              RelayOptions options = {});
  ~OutboxRelay();

  // Before start(). At most 31 targets.
  void add(std::shared_ptr<Consumer> consumer);
  void add(std::shared_ptr<Publisher> publisher);
  bool empty() const { return slots_.empty(); }

  void start();
  // Called after commits: wakes the targets whose bits are in `targets` (the rows' pending
  // masks, Database::set_commit_listener), every target by default.
  void wake(std::uint32_t targets = ~0u);
  void stop();

  // Age in seconds of the oldest row pending for one of this relay's targets (0 when none, or
  // before start()); queries the database. Not on an I/O thread.
  double oldest_pending_age_seconds();

 private:
  struct Slot {
    std::string name;
    std::shared_ptr<Consumer> consumer;    // one of these two is set
    std::shared_ptr<Publisher> publisher;  //
    std::uint32_t bit = 0;
    bool woken = true;               // check the outbox on start
    std::condition_variable wakeup;  // with mutex_: woken, or stopping
    int limit = 0;       // rows the next batch may take (deliver_once); batch_size from add_slot
    int busy_turns = 0;  // takes in a row that found the target held by another process
    // The wait after a wake-up (add_slot sets it from the options); the slot's thread only.
    GatherPolicy gather{std::chrono::milliseconds(1), std::chrono::milliseconds(1)};
    // Its current wait in µs (wait_after_wakeup), also read by /metrics scrapes.
    std::atomic<std::int64_t> gather_us{0};
    std::thread thread;
  };
  void add_slot(std::unique_ptr<Slot> slot);
  // The policy's wait, or the consumer's own minimum (Consumer::gather) if longer.
  static std::chrono::microseconds wait_after_wakeup(const Slot& slot);
  void run(Slot& slot);
  bool deliver_once(Slot& slot);  // true: delivered a full batch, more may wait
  void publish(Slot& slot, const Batch& batch);
  // A local consumer's batch: its effect, its dedupe rows and the acknowledgement in one
  // write unit; on a shared outbox (claim_holder set) the rows are taken in that unit too.
  // Returns the number of rows it was given.
  // `busy` (with `take`): set when another process's unit held the target (nothing taken).
  std::size_t consume(Slot& slot, Batch& batch, bool take, int limit, bool* busy);
  Status take_batch(Slot& slot, Batch& batch, int limit);
  void release_claims(Slot& slot);
  std::vector<ops::Metrics::GaugeSample> outbox_gauges();
  void count(const Slot& slot, const char* family, std::size_t n);

  storage::Database& db_;
  ops::Metrics& metrics_;
  OutboxWriter& writer_;
  RelayOptions options_;
  ConsumerRunner runner_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex mutex_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> started_{false};  // read by scrapes (outbox_gauges) from any thread
};

}  // namespace todo::bus

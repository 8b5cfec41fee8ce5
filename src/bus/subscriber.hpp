#pragma once
// Subscriber: one consumer of the outbox's events (audit, later notification, recurrence,
// or the Dapr publisher of the distributed shape). The relay hands each subscriber the
// events in outbox (= per-user commit) order, in batches, at least once.
//
// Two hooks, because consumers differ:
// - deliver(): side effects outside our database (publish to a broker, send e-mail).
//   Runs on the subscriber's relay thread, outside any transaction.
// - record(): writes into our database, run in the SAME transaction that acknowledges the
//   batch, so a local consumer's effect and the acknowledgement commit together.
// Consumers must still be idempotent (dedupe on event_id): a crash between deliver() and
// the acknowledgement, or a redelivery by a broker, repeats events.
#include <string>
#include <vector>

#include "storage/outbox_store.hpp"

namespace todo::bus {

enum class Delivery {
  done,         // acknowledge the batch
  retry_later,  // transient failure: same batch again after a backoff
  give_up,      // poison: acknowledge without effect, counted as failed
};

using Batch = std::vector<storage::OutboxRow>;

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual const std::string& name() const = 0;
  virtual Delivery deliver(const Batch&) { return Delivery::done; }
  virtual void record(storage::Tx&, const Batch&) {}
  // False while the subscriber cannot take a batch at all (the Dapr publisher's circuit
  // breaker is open): the relay then checks again shortly without reading the outbox.
  // Runs on the subscriber's relay thread.
  virtual bool accepting() { return true; }
};

}  // namespace todo::bus

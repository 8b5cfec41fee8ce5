#pragma once
// ConsumerRunner: the half of the consumer contract (bus/consumer.hpp) that every driver
// shares — the embedded relay and Dapr deliveries call it, so a consumer behaves the same on
// both shapes and gets exactly-once effects without code of its own.
//
// run() inside a write transaction: events the consumer does not want (Consumer::wants) are
// done at once, untouched; for the others it records (consumer, event_id) in processed_events
// (storage/processed_event_store.hpp); events recorded before are duplicates and
// come back `done` without reaching the consumer; the consumer handles the others; records of
// events it did not finish (retry_later, give_up) are removed again, so only a `done` event
// leaves its dedupe row — in the same transaction as its effect.
//
// Threads: run() on a database thread; record() anywhere. Stateless apart from metrics.
#include <span>
#include <vector>

#include "bus/consumer.hpp"
#include "ops/metrics.hpp"

namespace todo::bus {

struct Handled {
  std::vector<Outcome> outcomes;  // one per event, in order
  std::vector<bool> duplicate;    // handled before: the consumer was not called for it
};

class ConsumerRunner {
 public:
  explicit ConsumerRunner(ops::Metrics& metrics);

  // Declares the consumer's metric series (zero until something happens).
  void describe(const Consumer& consumer);

  // A write unit's body: see the header comment. Throws what the consumer or the store
  // throws (the transaction then rolls back); std::logic_error when the consumer returns the
  // wrong number of outcomes.
  Handled run(Consumer& consumer, storage::Tx& tx, std::span<const Event> events, Millis now) const;

  // After the transaction committed: Consumer::committed for the events it handled,
  // todo_consumer_events_total{consumer, outcome} and, for newly handled events,
  // todo_consumer_lag_seconds{consumer} (commit of the event → now).
  void record(Consumer& consumer, std::span<const Event> events, const Handled& handled,
              Millis now) const;

 private:
  ops::Metrics& metrics_;
};

}  // namespace todo::bus

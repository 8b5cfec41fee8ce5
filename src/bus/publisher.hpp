#pragma once
// Publisher: an external event bus the outbox relay hands events to (the Dapr sidecar in
// the distributed shape, bus/dapr/dapr_publisher.hpp). Unlike a Consumer (bus/consumer.hpp),
// whose effect commits in the relay's acknowledging transaction, a publisher's side effect
// happens outside our database, so it is at least once: consumers behind it dedupe on the
// event id.
#include <string>
#include <vector>

#include "core/outcome.hpp"
#include "storage/outbox_store.hpp"

namespace todo::bus {

using Batch = std::vector<storage::OutboxRow>;

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Stable name: keys its outbox bit and labels its metrics.
  virtual const std::string& name() const = 0;
  // Publishes the whole batch (in order). done: acknowledged, the rows leave the outbox for
  // this publisher; retry_later: the same batch again after a backoff; give_up: acknowledged
  // without effect (logged and counted). Runs on the publisher's relay thread.
  virtual Outcome publish(const Batch& batch) = 0;
  // False while it cannot take a batch at all (the Dapr publisher's circuit breaker is open):
  // the relay then asks again shortly without reading the outbox. Relay thread.
  virtual bool accepting() { return true; }
};

}  // namespace todo::bus

#pragma once
// The consumer contract (ARCHITECTURE.md §2): one contract for both shapes.
//
// A Consumer handles a batch of events inside a database transaction it is given and returns
// an Outcome per event: done, retry later, or give up (poison). The same consumer code runs
// behind the embedded bus (bus/outbox_relay.hpp: the outbox rows of its topic) and behind
// Dapr deliveries (bus/dapr/subscriptions.hpp: CloudEvents from the sidecar); neither driver
// knows what the consumer does.
//
// Exactly-once effects come from the contract, not from each consumer: ConsumerRunner
// (bus/consumer_runner.hpp) writes the (consumer name, event_id) row of processed_events in
// the same transaction as the consumer's effect and never hands a consumer an event it has
// handled before. A redelivery (Dapr delivers at least once; a crash between the effect's
// commit and the acknowledgement repeats events) is therefore a no-op, for free.
#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "bus/event.hpp"
#include "core/outcome.hpp"
#include "storage/tx.hpp"

namespace todo::bus {

class Consumer {
 public:
  virtual ~Consumer() = default;

  // Stable name ("audit", "recurrence", ...): keys the consumer's dedupe rows and its outbox
  // bit, and labels its metrics. Never rename a deployed consumer: it would see every
  // retained event again.
  virtual const std::string& name() const = 0;
  // The topic it consumes ("task-events", "reminders").
  virtual const std::string& topic() const = 0;

  // Handles `events` (each new to this consumer, in delivery order) inside `tx` and returns
  // one outcome per event, in the same order. Only `done` events may leave effects in `tx`:
  // decide retry_later / give_up before writing anything for that event. Throwing (e.g.
  // storage::DbError) rolls the whole transaction back and every event comes again.
  // Runs on a database thread; blocks on nothing but `tx`.
  virtual std::vector<Outcome> handle(storage::Tx& tx, std::span<const Event> events) = 0;

  // Whether an event can have any effect here (a cheap look at the payload, no I/O; any
  // thread). Events it does not want are done without a dedupe row and without handle():
  // over the embedded bus they are not even addressed to it (bus/outbox_writer.hpp), so the
  // consumer costs nothing for the events it ignores. Default: every event of its topic.
  virtual bool wants(const Event& event) const {
    (void)event;
    return true;
  }

  // Non-zero: the consumer wants a user's events only while the user listens — a live-update
  // stream opened, or refreshed, within this window (storage/stream_store.hpp listen()). The
  // embedded bus leaves that to the database as the event is written
  // (storage::OutboxAddress::if_listening): a stream opened in any process sharing the
  // database is seen without a cross-process cache, and the events of users who do not
  // listen never reach the consumer (no outbox bit, no dedupe row, no transaction). Asked for
  // the events wants() takes. Over Dapr every event comes and handle() decides. Default 0.
  virtual std::chrono::milliseconds listeners_only() const { return std::chrono::milliseconds(0); }

  // How long the embedded relay waits after a wake-up before it reads this consumer's
  // events (never less than RelayOptions::gather), so that one claim and one transaction
  // carry the events of many commits. A consumer whose effect nobody watches to the
  // millisecond (a next occurrence, a reminder job) takes a longer one: each of its batches
  // costs two write transactions on PostgreSQL, and at a few hundred events a second
  // batches of one or two events cost the writes of ordinary requests. Over Dapr the sidecar
  // decides (bulk subscribe).
  virtual std::chrono::milliseconds gather() const { return std::chrono::milliseconds(0); }

  // After the transaction holding the effects of handle() committed: the events it was
  // given and their outcomes (metrics, waking whoever waits for the effects). Runs on the
  // driver's thread (a relay thread, or an I/O thread for Dapr deliveries): must not block.
  virtual void committed(std::span<const Event> events, std::span<const Outcome> outcomes,
                         Millis now) {
    (void)events, (void)outcomes, (void)now;
  }
};

}  // namespace todo::bus

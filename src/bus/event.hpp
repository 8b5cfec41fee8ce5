#pragma once
// Event: one event as the bus hands it to a consumer (bus/consumer.hpp), whichever shape
// delivered it: an outbox row (embedded bus) or the data of a CloudEvent (Dapr).
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/event_facts.hpp"
#include "core/time.hpp"

namespace boost::json {
class value;
}

namespace todo::bus {

// `payload` is the event JSON as published (ARCHITECTURE.md §4). Every topic's events carry
// a string `event_id` and `user_id`.
struct Event {
  std::string event_id;
  std::string user_id;
  std::string topic;
  std::string payload;
  Millis created_at = 0;  // when the event was committed (its outbox row / its timestamp)

  // `payload` parsed as JSON: a null value when it is not JSON. Parsed on the first call and
  // kept (copies made afterwards share it), so the relay parses an event once for every
  // consumer's wants() and handle() rather than once per consumer per step. Not
  // synchronised: one thread at a time per Event (each driver builds its own).
  const boost::json::value& json() const;
  mutable std::shared_ptr<const boost::json::value> parsed{};  // json()'s cache
  // What the producer stated beside the payload (core/event_facts.hpp): known only while its
  // outbox row is being written; wants() may use them instead of json().
  EventFacts facts{};
};

// The Event for a payload that arrived on `topic`: event_id (1..64 printable characters) and
// user_id (1..128 printable characters) are read from it; created_at from its RFC 3339
// `timestamp` when it has one, else `received_at`. A validation Error naming the field for
// anything else (not a JSON object, ids missing or holding control characters: such an event
// could never be stored, so it is poison).
Result<Event> event_from_payload(std::string payload, std::string_view topic, Millis received_at);

}  // namespace todo::bus

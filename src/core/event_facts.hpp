#pragma once
// EventFacts: what the producer of an event states beside its JSON payload, so that a
// consumer's wants() (bus/consumer.hpp) can decide without parsing the payload — wants() runs
// on the database writer thread for every row the outbox takes (bus/outbox_writer.hpp), where
// a JSON parse per task event was the largest cost of the recurrence and reminder modules on
// SQLite (bench/RESULTS.md, issue 10).
//
// Known only for an event this process is writing to its outbox right now: an event read back
// from the outbox or delivered by Dapr has none (`known` false) and wants() reads the payload.
// Each field mirrors a payload field (ARCHITECTURE.md §4); a producer that sets `known` keeps
// them equal to its payload (events/task_event.cpp; tests/unit/event_facts_test.cpp checks it).
// The has_* fields are task-events' (the only topic whose consumers filter on them).
#include <string>
#include <string_view>

namespace todo {

struct EventFacts {
  bool known = false;
  std::string_view event_type;  // the payload's event_type; static storage (event_type_name)
  std::string source;           // the payload's source; empty when the payload has none
  bool has_remind_at = false;   // task_data.remind_at is not null
  bool has_recurrence = false;  // task_data.recurrence is not null
};

}  // namespace todo

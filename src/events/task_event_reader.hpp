#pragma once
// Reading a task event back (the consumers' side of events/task_event.hpp): the envelope of
// ARCHITECTURE.md §4 checked in one place for every consumer (audit, recurrence, reminders,
// and those to come), so they agree on what is poison.
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"
#include "events/task_event.hpp"

namespace todo {

// Views into the parsed payload it was read from: valid while that value lives.
struct TaskEventView {
  std::string_view event_id;                      // 1..64 printable characters
  std::string_view event_type;                    // as written
  std::optional<EventType> type;                  // nullopt: a type this build does not know
  std::string_view user_id;                       // 1..128 printable characters
  std::int64_t task_id = 0;                       // > 0
  std::optional<std::int64_t> task_version;       // > 0 when present
  std::optional<Millis> timestamp;                // RFC 3339 `timestamp`, when present and valid
  const boost::json::value* task_data = nullptr;  // the task snapshot: an object, never null
};

// The envelope of `payload` (a parsed event, bus::Event::json()). A validation Error naming
// the field (`event`, `event_id`, `event_type`, `user_id`, `task_id`, `task_version`,
// `task_data`) when it is not a JSON object, a required member is missing or invalid, or a
// text holds control characters (it could never be stored: poison). An unknown event_type is
// not an error here (type = nullopt): a consumer that must know every type says so itself;
// the others ignore what they do not know (a newer producer's events).
Result<TaskEventView> read_task_event(const boost::json::value& payload);
// A temporary payload would be gone before the views are read (ASan caught a test doing
// read_task_event(boost::json::parse(...))): parse into a named value first.
Result<TaskEventView> read_task_event(boost::json::value&& payload) = delete;

}  // namespace todo

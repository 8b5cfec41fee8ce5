#pragma once
// The next occurrence of a recurring task, as pure functions (RFC 5545 §3.3.10 and §3.8.5.3,
// expanded with libical through tasks/recurrence.hpp). Unit-tested in
// tests/recurrence/series_test.cpp.
//
// A series' DTSTART is its first task's due_at, or that task's completion time when it had
// no due date ("counts from its completion time"). Instances are computed as wall-clock
// times in the task's IANA time zone and returned in UTC (ms since the epoch), so "daily at
// 09:00 Europe/Berlin" stays at 09:00 local time across daylight-saving changes.
#include <optional>

#include "core/time.hpp"
#include "tasks/task.hpp"

namespace todo::recurrence {

struct NextDates {
  Millis due_at;                    // UTC
  std::optional<Millis> remind_at;  // the completed occurrence's offset from its due date
};

// DTSTART of a series whose first task is `first`, completed at `completed_at`.
Millis series_start(const TaskFields& first, Millis completed_at);

// The dates of the occurrence that follows `completed` (its fields when it was completed, at
// `completed_at`) in the series starting at `dtstart`: the first instance of its rule
// strictly after the later of its due date and its completion time (finishing Monday's task
// on Wednesday brings next Monday's, not an overdue one); remind_at keeps its offset from the
// due date (from the completion time for a task without one). nullopt when the series has
// ended (COUNT, UNTIL), when `completed` has no recurrence, or when its rule or time zone is
// not usable (refused at input, so only for rows written by hand). Never throws.
std::optional<NextDates> next_dates(const TaskFields& completed, Millis completed_at,
                                    Millis dtstart);

}  // namespace todo::recurrence

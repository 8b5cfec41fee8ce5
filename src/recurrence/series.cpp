#include "recurrence/series.hpp"

#include <algorithm>

#include "tasks/recurrence.hpp"

namespace todo::recurrence {

Millis series_start(const TaskFields& first, Millis completed_at) {
  return first.due_at.value_or(completed_at);
}

std::optional<NextDates> next_dates(const TaskFields& completed, Millis completed_at,
                                    Millis dtstart) {
  if (!completed.recurrence) return std::nullopt;
  const Millis anchor = completed.due_at.value_or(completed_at);
  const Millis after = std::max(anchor, completed_at);
  auto due = next_occurrence(*completed.recurrence, completed.timezone, dtstart, after);
  if (!due) return std::nullopt;
  NextDates next{*due, std::nullopt};
  if (completed.remind_at) next.remind_at = *due + (*completed.remind_at - anchor);
  return next;
}

}  // namespace todo::recurrence

#pragma once
// RRULE and time zone validation with libical.
#include <optional>
#include <string>
#include <string_view>

#include "tasks/task.hpp"

namespace todo {

// nullopt when valid, else a human-readable reason. Accepts an optional "RRULE:" prefix?
// No: the stored value is the bare rule, e.g. "FREQ=MONTHLY;BYMONTHDAY=1".
std::optional<std::string> rrule_error(std::string_view rule);

bool is_known_timezone(std::string_view iana_name);

// The first occurrence strictly after `after`, computed in `timezone` (for the
// recurrence service; unit-tested now so the rule handling is proven early).
std::optional<Millis> next_occurrence(std::string_view rule, std::string_view timezone,
                                      Millis dtstart, Millis after);

}  // namespace todo

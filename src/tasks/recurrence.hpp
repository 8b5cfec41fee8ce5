#pragma once
// RRULE and time zone validation with libical.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/task.hpp"

namespace todo {

// nullopt when valid, else a human-readable reason. Accepts an optional "RRULE:" prefix?
// No: the stored value is the bare rule, e.g. "FREQ=MONTHLY;BYMONTHDAY=1".
std::optional<std::string> rrule_error(std::string_view rule);

bool is_known_timezone(std::string_view iana_name);

// The wall-clock time of instant `t` (whole seconds) in the IANA zone `timezone`, from
// libical's zone data (serialised with the other libical calls): the local date and time,
// weekday (0 = Sunday), UTC offset and the zone's abbreviation at that instant ("CET",
// "CEST", "EDT"; "UTC"; a numeric one such as "+0530" where the zone has no letters).
// nullopt for a zone is_known_timezone refuses. Used by e-mails (src/email/message.hpp).
struct ZonedTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int weekday = 0;
  int utc_offset_seconds = 0;
  std::string abbreviation;
};
std::optional<ZonedTime> zoned_time(Millis t, std::string_view timezone);

// The inverse of zoned_time: the UTC instant (milliseconds) of the wall-clock time
// `local` (year, month, day, hour, minute, second; weekday, offset and abbreviation are
// ignored) in the IANA zone `timezone`, as RFC 5545 §3.3.5 reads a DATE-TIME with TZID:
// a local time that occurs twice (the clocks go back) is its FIRST occurrence; one that
// does not occur (the clocks go forward) is read with the UTC offset before the gap, so
// 02:30 on the night Paris goes from CET to CEST is 01:30Z (03:30 CEST). nullopt for a zone
// is_known_timezone refuses. Used by the assistant's date words (src/assistant).
std::optional<Millis> local_to_utc(const ZonedTime& local, std::string_view timezone);

// Up to `max_count` instances of `rule` strictly after `after` (UTC ms), in order, for the
// series starting at `dtstart` (UTC ms), expanded by libical on wall-clock time in the IANA
// zone `timezone` (RFC 5545 §3.3.10); each instance in UTC ms, with dtstart's milliseconds. A
// wall-clock time that does not exist (the clocks go forward) or exists twice is read as
// RFC 5545 §3.3.5 reads a DATE-TIME: with the offset before the gap, or its first occurrence.
// Fewer when the series ends (COUNT, UNTIL); none for a rule rrule_error refuses or a zone
// is_known_timezone refuses. Bounded work: a rule without COUNT starts expanding shortly
// before `after`, not at dtstart (see the .cpp), and at most 100 000 instances are stepped
// through (then what was found, and a warning in the log).
std::vector<Millis> occurrences(std::string_view rule, std::string_view timezone, Millis dtstart,
                                Millis after, int max_count);

// The first of occurrences(rule, timezone, dtstart, after, 1), or nullopt (the recurrence
// service's next instance).
std::optional<Millis> next_occurrence(std::string_view rule, std::string_view timezone,
                                      Millis dtstart, Millis after);

}  // namespace todo

#pragma once
// English date, time and recurrence words → dates, instants and RFC 5545 RRULEs, relative
// to a clock and an IANA time zone. Pure apart from reading libical's zone data (through
// tasks/recurrence.hpp: zoned_time, local_to_utc).
//
// Written by hand: Debian 12 packages no C++ natural-language date parser (the ones that
// exist are Python's dateparser and JavaScript's chrono-node; /work/.library/env/packages
// lists no C or C++ one), and the grammar the assistant needs is small and must stay cheap.
//
// Grammar (tokens of assistant/tokens.hpp, matched lower-cased):
//   date   today | tonight | tomorrow | (the) day after tomorrow | [this|next|coming] WEEKDAY
//          | next week (its Monday) | next month (its 1st) | end of (the) week (Friday 17:00)
//          | end of (the) month (its last day, 17:00) | in N minutes|hours|days|weeks|months
//          | MONTH DAY [YEAR] | DAY [of] MONTH [YEAR] | YYYY-MM-DD; each may follow
//          "on", "by", "due" or "until".
//   time   [at|@] H[:MM](am|pm) | H[:MM] am|pm | HH:MM | at H | noon | midday | midnight
//          | morning (9:00) | afternoon (15:00) | evening (18:00) | in the morning ...
//   when   a date and/or a time, next to each other in either order ("9am tomorrow").
//   repeat every|each day|weekday|weekend|week|month|year | every other UNIT
//          | every N UNITs | every WEEKDAY [and WEEKDAY]... | daily|weekly|monthly|yearly
//          | on weekdays; optionally followed by a time ("every 2 weeks at 9").
// Meanings: a weekday alone or with "next" is the first such day after today; with "this"
// today counts. A date without a year is the next one from today. A date without a time is
// at 09:00 local; a time without a date is today if still ahead, else tomorrow. "midnight"
// is the end of its day (00:00 of the next). DST: local times go through local_to_utc.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assistant/tokens.hpp"
#include "core/time.hpp"
#include "tasks/recurrence.hpp"

namespace todo::assistant {

using Date = std::chrono::year_month_day;

// The clock a message is read against: the instant and the user's zone.
struct Clock {
  Millis now = 0;
  std::string timezone;  // IANA name, or "UTC"
  ZonedTime local;       // `now` in `timezone`
  Date today;
};

// nullopt when `timezone` is not a zone libical knows.
std::optional<Clock> make_clock(Millis now, std::string_view timezone);

constexpr int kDefaultMinutes = 9 * 60;  // a date without a time: 09:00

// A date and/or time expression found at tokens [first, last).
struct When {
  std::size_t first = 0, last = 0;
  std::optional<Date> date;
  std::optional<int> minutes;          // minutes after local midnight, 1440 = end of day
  std::optional<int> default_minutes;  // "tonight", "end of week": the time unless one is given
  std::optional<Millis> instant;       // "in 2 hours": an exact instant
};

// The date/time expression starting at token `i` (as long as possible), or nullopt.
std::optional<When> match_when(const std::vector<Token>& tokens, std::size_t i, const Clock& clock);

// The UTC instant of `when`: its instant; else its date (today or tomorrow for a bare time)
// at its time (default_minutes, else `fallback_minutes`). nullopt when the zone has no such
// local time and libical fails (not expected).
std::optional<Millis> resolve(const When& when, const Clock& clock,
                              int fallback_minutes = kDefaultMinutes);

// A recurrence expression found at tokens [first, last).
struct Repeat {
  std::size_t first = 0, last = 0;
  std::string rule;            // RFC 5545 RRULE value, e.g. "FREQ=WEEKLY;BYDAY=MO,TH"
  unsigned weekdays = 0;       // BYDAY as bits, bit 0 = Monday; 0 = any day
  std::optional<int> minutes;  // "every day at 9": the time of day
};

std::optional<Repeat> match_repeat(const std::vector<Token>& tokens, std::size_t i);

// The first occurrence of `repeat` from the clock's now: `due` when given (the series
// starts there), else the first day from today (today only if the time is still ahead)
// whose weekday the rule allows, at the repeat's time (else 09:00).
std::optional<Millis> first_occurrence(const Repeat& repeat, const std::optional<When>& due,
                                       const Clock& clock);

// The local wall-clock date and minutes of `date` at `minutes` as an instant in the zone.
std::optional<Millis> local_instant(const Date& date, int minutes, const Clock& clock);

namespace detail {
// The time of day at tokens[i] ("at 9", "9am", "17:30", "noon"): tokens taken and minutes
// after midnight. For repeat.cpp.
std::optional<std::pair<std::size_t, int>> time_at(const std::vector<Token>& tokens, std::size_t i);
}  // namespace detail

// Days since the epoch / weekday (0 = Monday) helpers over std::chrono dates.
Date add_days(const Date& date, int days);
int weekday_monday0(const Date& date);

}  // namespace todo::assistant

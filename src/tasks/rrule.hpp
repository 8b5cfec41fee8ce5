#pragma once
// RFC 5545 §3.3.10 RECUR values: the syntax, the value ranges and the rule-part
// combinations the RFC allows, checked before a rule reaches libical. libical is our
// parser and expander (tasks/recurrence.hpp), but it is lenient: it lets a part appear
// twice (the last wins), takes "FREQ=WEEKLY;BYDAY=1MO" as plain Mondays, and finds out
// that a rule has no occurrence at all only by iterating to the year 2582 (1.5 s for a
// DAILY rule, 30 s for an HOURLY one, on the I/O thread). So the rules are checked here
// by hand, in pure functions.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace todo::rrule {

enum class Freq { secondly, minutely, hourly, daily, weekly, monthly, yearly };

// A BYDAY entry: "MO" (ordinal 0, every Monday of the period), "1MO", "-1FR".
struct WeekdayNum {
  int ordinal = 0;
  int weekday = 0;  // 0 = MO ... 6 = SU
};

// A rule that passed parse(): every part within its range, the combination allowed.
struct Rule {
  Freq freq = Freq::daily;
  std::optional<long long> count;
  bool has_until = false;
  bool until_is_date = false;  // UNTIL=20261231 rather than UNTIL=20261231T235959Z
  int interval = 1;
  std::vector<int> by_second, by_minute, by_hour, by_month_day, by_year_day, by_week_no, by_month,
      by_set_pos;
  std::vector<WeekdayNum> by_day;
  int week_start = 0;  // WKST, MO by default
};

// The rule `text` spells (rule parts separated by ';', names and values case-insensitive
// as ABNF strings are), or the reason it is not a valid RFC 5545 recurrence rule, naming
// the rule part and the RFC's rule, e.g. "BYDAY=1MO: a numbered weekday needs FREQ=MONTHLY
// or FREQ=YEARLY". Checks: FREQ present; no part twice; COUNT and UNTIL not both; every
// value in its range; BYWEEKNO only with YEARLY; BYYEARDAY not with DAILY, WEEKLY or
// MONTHLY; BYMONTHDAY not with WEEKLY; numbered BYDAY only with MONTHLY (±1..5) or YEARLY
// (±1..53, not with BYWEEKNO); BYSETPOS only beside another BYxxx part; UNTIL a DATE or a
// UTC DATE-TIME (our DTSTART has a time zone, so a time must be UTC). RSCALE and SKIP
// (RFC 7529) are not supported. Does not check the length: the caller caps it.
std::variant<Rule, std::string> parse(std::string_view text);

// Whether some instance of `rule` exists at all, whatever its DTSTART: its BYxxx parts
// admit some date (and BYSETPOS some position) in one 28-year cycle of the Gregorian
// calendar, where every kind of year occurs. "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" has
// none. Linear in the ~10 600 days of the cycle. Leap seconds do not occur (BYSECOND=60
// alone has no instance: our clock has no leap seconds). Whether INTERVAL steps ever land
// on an allowed date depends on DTSTART and is not decided here.
bool has_occurrence(const Rule& rule);

// The most steps of its FREQ the recurrence engine may take between two instances of a rule
// (libical steps through every second, minute or hour of a SECONDLY, MINUTELY or HOURLY rule
// and tests each against the BYxxx parts: about 2 µs a step here, under the process-wide
// libical lock), and the most instances a rule finer than DAILY may COUNT (the next instance
// of a COUNT rule is found by stepping through every instance before it).
inline constexpr long kMaxStepsBetweenInstances = 20'000;
inline constexpr long long kMaxSubDailyCount = 100'000;

// Why `rule` (one that parse() accepted and that has_occurrence()) is refused by the
// recurrence engine, or nullopt: (1) below DAILY, INTERVAL above 1 with a BYxxx part that
// limits (a date part, or a time part of FREQ's unit or coarser: FREQ=HOURLY;INTERVAL=48;
// BYHOUR=1, FREQ=HOURLY;INTERVAL=5;BYDAY=MO), whose INTERVAL steps libical 3.0 loses where
// the part skips instants (RFC 5545 keeps exactly the INTERVAL steps the part allows); (2) a
// SECONDLY, MINUTELY or HOURLY rule whose BYxxx parts leave more than kMaxStepsBetweenInstances
// steps between two instances somewhere in the 28-year cycle (e.g. FREQ=SECONDLY;BYMONTH=2, or
// FREQ=MINUTELY on 29 February); (3) such a rule with a COUNT above kMaxSubDailyCount. The reason
// names the parts and what to write instead.
std::optional<std::string> expansion_error(const Rule& rule);

}  // namespace todo::rrule

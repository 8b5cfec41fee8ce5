// has_occurrence(): does a rule's set of instances have any member at all? Decided over the
// days of one 28-year cycle of the Gregorian calendar (2000..2028: every kind of year -- leap
// or not, starting on each weekday -- occurs in it, and so does every pair of consecutive
// kinds), with the RFC 5545 §3.3.10 meaning of each BYxxx part. See rrule.hpp for why not
// with libical.
#include <algorithm>
#include <set>
#include <string>

#include "tasks/rrule.hpp"

namespace todo::rrule {
namespace {

constexpr int kFirstYear = 2000;
constexpr int kLastYear = 2028;

// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + long(doe) - 719468;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[m - 1] + (m == 2 && leap(y));
}

int weekday_of(long serial) {  // 0 = Monday; 1970-01-01 was a Thursday
  return int(((serial % 7) + 7 + 3) % 7);
}

struct Day {
  long serial;
  int year, month, mday, yday, dim, diy, weekday;
};

// First day of week 1 of `year` when weeks start on `wkst`: week 1 is the first week with
// at least four days in the year (RFC 5545, BYWEEKNO).
long week_one(int year, int wkst) {
  const long jan1 = days_from_civil(year, 1, 1);
  const int offset = (weekday_of(jan1) - wkst + 7) % 7;  // days of Jan 1's week before it
  return offset <= 3 ? jan1 - offset : jan1 + 7 - offset;
}

bool in(const std::vector<int>& list, int value) {
  for (int v : list)
    if (v == value) return true;
  return false;
}

// A positive or negative (from the end) ordinal `v` names `index` of `count`.
bool names(int v, int index, int count) {
  return v > 0 ? v == index : count + v + 1 == index;
}

bool any_names(const std::vector<int>& list, int index, int count) {
  for (int v : list)
    if (names(v, index, count)) return true;
  return false;
}

class Matcher {
 public:
  explicit Matcher(const Rule& r) : r_(r) {
    // Numbered weekdays count within the month for MONTHLY, and for YEARLY with BYMONTH
    // ("special expand for MONTHLY"); within the year otherwise.
    ordinal_in_month_ = r.freq == Freq::monthly || (r.freq == Freq::yearly && !r.by_month.empty());
  }

  bool matches(const Day& d) const {
    if (!r_.by_month.empty() && !in(r_.by_month, d.month)) return false;
    if (!r_.by_month_day.empty() && !any_names(r_.by_month_day, d.mday, d.dim)) return false;
    if (!r_.by_year_day.empty() && !any_names(r_.by_year_day, d.yday, d.diy)) return false;
    if (!r_.by_week_no.empty() && !week_matches(d)) return false;
    if (!r_.by_day.empty() && !weekday_matches(d)) return false;
    return true;
  }

 private:
  bool week_matches(const Day& d) const {
    int week_year = d.year;
    if (d.serial < week_one(d.year, r_.week_start))
      week_year -= 1;
    else if (d.serial >= week_one(d.year + 1, r_.week_start))
      week_year += 1;
    const long start = week_one(week_year, r_.week_start);
    const int week = int((d.serial - start) / 7) + 1;
    const int weeks = int((week_one(week_year + 1, r_.week_start) - start) / 7);
    return any_names(r_.by_week_no, week, weeks);
  }

  bool weekday_matches(const Day& d) const {
    const int pos = ordinal_in_month_ ? d.mday : d.yday;
    const int len = ordinal_in_month_ ? d.dim : d.diy;
    for (const WeekdayNum& w : r_.by_day) {
      if (w.weekday != d.weekday) continue;
      if (w.ordinal == 0) return true;
      // The n-th such weekday of the period, counted from its start or its end.
      if (names(w.ordinal, (pos - 1) / 7 + 1, (pos - 1) / 7 + 1 + (len - pos) / 7)) return true;
    }
    return false;
  }

  const Rule& r_;
  bool ordinal_in_month_ = false;
};

std::size_t distinct(const std::vector<int>& list) {
  return std::set<int>(list.begin(), list.end()).size();
}

// BYSETPOS picks some instance of a period holding `count` of them.
bool set_pos_picks(const Rule& r, long count) {
  if (count < 1) return false;
  if (r.by_set_pos.empty()) return true;
  for (int p : r.by_set_pos)
    if ((p > 0 ? p : -p) <= count) return true;
  return false;
}

// Calls `visit(day, matches)` for each day of the cycle in order, `matches` saying whether
// every date part of `r` allows it, until `visit` returns false.
template <typename Visit>
void for_each_day(const Rule& r, Visit visit) {
  const Matcher matcher(r);
  for (int y = kFirstYear; y <= kLastYear; ++y) {
    const int diy = leap(y) ? 366 : 365;
    int yday = 0;
    for (int m = 1; m <= 12; ++m) {
      const int dim = days_in_month(y, m);
      for (int mday = 1; mday <= dim; ++mday) {
        const long serial = days_from_civil(y, unsigned(m), unsigned(mday));
        const Day day{serial, y, m, mday, ++yday, dim, diy, weekday_of(serial)};
        if (!visit(day, matcher.matches(day))) return;
      }
    }
  }
}

// Days from one day every date part allows to the next (the longest such gap in the cycle,
// which holds every pair of consecutive kinds of year); 1 when every day is allowed, 0 when
// none is.
long longest_day_gap(const Rule& r) {
  if (r.by_month.empty() && r.by_month_day.empty() && r.by_year_day.empty() &&
      r.by_week_no.empty() && r.by_day.empty())
    return 1;
  long last = -1;
  long longest = 0;
  for_each_day(r, [&](const Day& day, bool ok) {
    if (ok) {
      if (last >= 0) longest = std::max(longest, day.serial - last);
      last = day.serial;
    }
    return true;
  });
  if (last < 0) return 0;
  return std::max<long>(longest, 1);
}

const char* freq_word(Freq f) {
  return f == Freq::hourly ? "HOURLY" : f == Freq::minutely ? "MINUTELY" : "SECONDLY";
}

}  // namespace

std::optional<std::string> expansion_error(const Rule& r) {
  if (r.freq > Freq::hourly) return std::nullopt;  // DAILY and coarser: a step is a day or more
  const std::string freq = std::string("FREQ=") + freq_word(r.freq);
  if (r.interval > 1) {
    // The parts that limit a rule finer than DAILY (RFC 5545's table: every date part, and
    // the time parts of FREQ's unit and coarser).
    const char* limit = !r.by_month.empty()                                ? "BYMONTH"
                        : !r.by_month_day.empty()                          ? "BYMONTHDAY"
                        : !r.by_year_day.empty()                           ? "BYYEARDAY"
                        : !r.by_day.empty()                                ? "BYDAY"
                        : !r.by_hour.empty()                               ? "BYHOUR"
                        : r.freq <= Freq::minutely && !r.by_minute.empty() ? "BYMINUTE"
                        : r.freq == Freq::secondly && !r.by_second.empty() ? "BYSECOND"
                                                                           : nullptr;
    if (limit)
      return std::string(limit) + " together with " + freq +
             " and INTERVAL=" + std::to_string(r.interval) +
             " is not supported: the recurrence engine (libical) loses the INTERVAL's steps "
             "where " +
             limit +
             " skips some (e.g. FREQ=HOURLY;INTERVAL=5;BYDAY=MO misses "
             "07:00 on the second Monday); use INTERVAL=1 with " +
             limit + ", or FREQ=DAILY with BYHOUR and BYMINUTE";
  }
  if (r.count && *r.count > kMaxSubDailyCount)
    return "COUNT must be at most " + std::to_string(kMaxSubDailyCount) + " with " + freq;

  // The time slots of a day the rule allows, in steps of its FREQ (parts finer than FREQ
  // expand, the others limit: they never skip a step).
  const long unit = r.freq == Freq::hourly ? 3600 : r.freq == Freq::minutely ? 60 : 1;
  const long per_day = 86400 / unit;
  long first = -1;
  long last = -1;
  long longest = 0;  // between two slots of one day
  for (long slot = 0; slot < per_day; ++slot) {
    const long t = slot * unit;
    const bool ok =
        (r.by_hour.empty() || in(r.by_hour, int(t / 3600))) &&
        (r.freq > Freq::minutely || r.by_minute.empty() || in(r.by_minute, int(t / 60 % 60))) &&
        (r.freq > Freq::secondly || r.by_second.empty() || in(r.by_second, int(t % 60)));
    if (!ok) continue;
    if (first < 0) first = slot;
    if (last >= 0) longest = std::max(longest, slot - last);
    last = slot;
  }
  const long day_gap = longest_day_gap(r);
  if (first < 0 || day_gap == 0) return std::nullopt;  // no instance: has_occurrence says so
  // From the last slot of an allowed day to the first of the next allowed one.
  longest = std::max(longest, day_gap * per_day - last + first);
  const long steps = (longest + r.interval - 1) / r.interval;
  if (steps <= kMaxStepsBetweenInstances) return std::nullopt;
  return freq + " with these BYxxx parts leaves up to " + std::to_string(steps) + " " +
         (r.freq == Freq::hourly     ? "hours"
          : r.freq == Freq::minutely ? "minutes"
                                     : "seconds") +
         " between two instances, and the recurrence engine steps through each (at most " +
         std::to_string(kMaxStepsBetweenInstances) +
         "): use a coarser FREQ, e.g. FREQ=DAILY with BYHOUR and BYMINUTE";
}

bool has_occurrence(const Rule& r) {
  std::vector<int> seconds;
  for (int s : r.by_second)
    if (s != 60) seconds.push_back(s);
  if (!r.by_second.empty() && seconds.empty()) return false;  // only leap seconds

  // Instances per day (per period below DAILY) from the time parts the frequency expands
  // (RFC 5545's table: a part finer than FREQ expands, the others limit, and any valid
  // limit is met every day).
  long per_slot = 1;
  if (r.freq != Freq::secondly && !seconds.empty()) per_slot *= long(distinct(seconds));
  if (r.freq >= Freq::hourly && !r.by_minute.empty()) per_slot *= long(distinct(r.by_minute));
  if (r.freq >= Freq::daily && !r.by_hour.empty()) per_slot *= long(distinct(r.by_hour));

  // The parts that pick the days of a WEEKLY, MONTHLY or YEARLY period; without them the
  // day comes from DTSTART (one a week or a month; up to one per BYMONTH in a year).
  const bool picks_days =
      (r.freq == Freq::weekly && !r.by_day.empty()) ||
      (r.freq == Freq::monthly && (!r.by_month_day.empty() || !r.by_day.empty())) ||
      (r.freq == Freq::yearly &&
       (!r.by_year_day.empty() || !r.by_month_day.empty() || !r.by_day.empty()));
  const bool date_parts = !r.by_month.empty() || !r.by_month_day.empty() ||
                          !r.by_year_day.empty() || !r.by_week_no.empty() || !r.by_day.empty();

  // Every instance lies on a day every date part allows: find one. With picks_days, count
  // the allowed days of each period too, for BYSETPOS.
  bool any_day = !date_parts;
  long period = -1;
  long allowed = 0;
  bool picked = false;
  if (!any_day || picks_days) {
    for_each_day(r, [&](const Day& day, bool ok) {
      any_day = any_day || ok;
      if (!picks_days) return !any_day;  // one allowed day is enough
      const long this_period = r.freq == Freq::weekly
                                   ? day.serial - (day.weekday - r.week_start + 7) % 7  // its start
                               : r.freq == Freq::monthly ? day.year * 12L + day.month
                                                         : long(day.year);
      if (this_period != period) {
        if (period >= 0 && set_pos_picks(r, allowed * per_slot)) {
          picked = true;
          return false;
        }
        period = this_period;
        allowed = 0;
      }
      if (ok) ++allowed;
      return true;
    });
  }
  if (picked) return true;
  if (!any_day) return false;
  if (picks_days) return set_pos_picks(r, allowed * per_slot);  // the last period
  // Without day parts a YEARLY rule has DTSTART's day in each BYMONTH month, or its weekday
  // in each BYWEEKNO week: at most this many days a year.
  const long days =
      r.freq == Freq::yearly
          ? std::max<long>({1, long(distinct(r.by_month)), long(distinct(r.by_week_no))})
          : 1;
  return set_pos_picks(r, days * per_slot);
}

}  // namespace todo::rrule

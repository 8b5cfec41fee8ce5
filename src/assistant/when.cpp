#include "assistant/when.hpp"

namespace todo::assistant {
namespace {

using namespace std::chrono;

constexpr Millis kMinute = 60'000;

// A matched part: how many tokens it took and what it says.
struct Part {
  std::size_t len = 0;
  std::optional<Date> date;
  std::optional<int> minutes;
  std::optional<int> default_minutes;
  std::optional<Millis> instant;
};

Part date_only(std::size_t len, Date d, std::optional<int> default_minutes = std::nullopt) {
  Part p;
  p.len = len;
  p.date = d;
  p.default_minutes = default_minutes;
  return p;
}

Part time_only(std::size_t len, int minutes) {
  Part p;
  p.len = len;
  p.minutes = minutes;
  return p;
}

// The next `weekday` (0 = Monday) after today, or from today when `today_counts`.
Date next_weekday(const Clock& c, int weekday, bool today_counts) {
  int ahead = (weekday - weekday_monday0(c.today) + 7) % 7;
  if (ahead == 0 && !today_counts) ahead = 7;
  return add_days(c.today, ahead);
}

// A date without a year: this year's, or next year's when it has passed.
std::optional<Date> upcoming(const Clock& c, int month, int day, std::optional<int> year) {
  Date d{std::chrono::year{year.value_or(static_cast<int>(c.today.year()))},
         std::chrono::month{static_cast<unsigned>(month)},
         std::chrono::day{static_cast<unsigned>(day)}};
  if (!year && d.ok() && sys_days{d} < sys_days{c.today})
    d = Date{d.year() + years{1}, d.month(), d.day()};
  if (!d.ok()) return std::nullopt;  // 30 February
  return d;
}

std::optional<int> year_at(const std::vector<Token>& t, std::size_t i) {
  if (i >= t.size() || t[i].lower.size() != 4) return std::nullopt;
  int y = 0;
  for (char ch : t[i].lower) {
    if (ch < '0' || ch > '9') return std::nullopt;
    y = y * 10 + (ch - '0');
  }
  if (y < 1970 || y > 2200) return std::nullopt;
  return y;
}

std::optional<Date> iso_date(std::string_view w) {
  // YYYY-MM-DD (RFC 3339 full-date)
  if (w.size() != 10 || w[4] != '-' || w[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k)
    for (std::size_t j = starts[k]; j < starts[k] + lens[k]; ++j) {
      if (w[j] < '0' || w[j] > '9') return std::nullopt;
      v[k] = v[k] * 10 + (w[j] - '0');
    }
  Date d{std::chrono::year{v[0]}, std::chrono::month{static_cast<unsigned>(v[1])},
         std::chrono::day{static_cast<unsigned>(v[2])}};
  if (!d.ok()) return std::nullopt;
  return d;
}

// "in N UNITs": minutes for minutes and hours; days (negative) for days and weeks; months
// are calendar months (kMonths).
constexpr int kMonths = -1000;
std::optional<int> unit_of(std::string_view w) {
  if (w == "minute" || w == "minutes" || w == "min" || w == "mins") return 1;
  if (w == "hour" || w == "hours" || w == "hr" || w == "hrs") return 60;
  if (w == "day" || w == "days") return -1;
  if (w == "week" || w == "weeks") return -7;
  if (w == "month" || w == "months") return kMonths;
  return std::nullopt;
}

std::optional<Part> date_part(const std::vector<Token>& t, std::size_t i, const Clock& c) {
  if (i >= t.size()) return std::nullopt;
  const std::string& w = t[i].lower;
  if (w == "due" || w == "on" || w == "by" || w == "until") {
    auto inner = date_part(t, i + 1, c);
    if (inner) inner->len += 1;
    return inner;
  }
  if (w == "today") return date_only(1, c.today);
  if (w == "tonight") return date_only(1, c.today, 20 * 60);
  if (w == "tomorrow" || w == "tmrw" || w == "tmr") return date_only(1, add_days(c.today, 1));
  if (w == "day" && is(t, i + 1, "after") && is(t, i + 2, "tomorrow"))
    return date_only(3, add_days(c.today, 2));
  if (w == "the" && is(t, i + 1, "day") && is(t, i + 2, "after") && is(t, i + 3, "tomorrow"))
    return date_only(4, add_days(c.today, 2));
  if (auto wd = weekday_of(w)) return date_only(1, next_weekday(c, *wd, false));
  if ((w == "this" || w == "next" || w == "coming") && i + 1 < t.size()) {
    if (auto wd = weekday_of(t[i + 1].lower))
      return date_only(2, next_weekday(c, *wd, w == "this"));
    if (w == "next" && t[i + 1].lower == "week")
      return date_only(2, add_days(c.today, 7 - weekday_monday0(c.today)));
    if (w == "next" && t[i + 1].lower == "month") {
      const year_month ym = c.today.year() / c.today.month() + months{1};
      return date_only(2, Date{ym / std::chrono::day{1}});
    }
  }
  if (w == "end" && is(t, i + 1, "of")) {
    std::size_t j = i + 2;
    if (is(t, j, "the") || is(t, j, "this")) ++j;
    if (is(t, j, "week")) {
      // The working week's end: this week's Friday, or the next one once it has passed.
      const int wd = weekday_monday0(c.today);
      const Date d = wd <= 4 ? add_days(c.today, 4 - wd) : next_weekday(c, 4, false);
      return date_only(j + 1 - i, d, 17 * 60);
    }
    if (is(t, j, "month")) {
      const Date d{year_month_day_last{c.today.year(), month_day_last{c.today.month()}}};
      return date_only(j + 1 - i, d, 17 * 60);
    }
  }
  if (w == "in" && i + 2 < t.size()) {
    std::size_t j = i + 1;
    std::optional<int> n;
    if (t[j].lower == "half" && is(t, j + 1, "an") && is(t, j + 2, "hour")) {
      Part p;
      p.len = 4;
      p.instant = c.now + 30 * kMinute;
      return p;
    }
    n = number_of(t[j].lower, true);
    auto unit = n ? unit_of(t[j + 1].lower) : std::nullopt;
    if (n && unit && *n >= 0 && *n <= 999) {
      if (*unit > 0) {
        Part p;
        p.len = 3;
        p.instant = c.now + static_cast<Millis>(*n) * *unit * kMinute;
        return p;
      }
      if (*unit == kMonths) {
        year_month_day d = c.today.year() / c.today.month() / c.today.day();
        d = d + months{*n};
        if (!d.ok()) d = year_month_day_last{d.year(), month_day_last{d.month()}};
        return date_only(3, d);
      }
      return date_only(3, add_days(c.today, *n * -*unit));
    }
  }
  if (auto iso = iso_date(w)) return date_only(1, *iso);
  // MONTH DAY [YEAR]: "dec 5", "December 5th 2026"
  if (auto m = month_of(w); m && i + 1 < t.size()) {
    if (auto d = day_of_month(t[i + 1].lower)) {
      auto y = year_at(t, i + 2);
      if (auto date = upcoming(c, *m, *d, y)) return date_only(y ? 3 : 2, *date);
    }
  }
  // [the] DAY [of] MONTH [YEAR]: "5 December", "the 5th of Dec"
  std::size_t j = i + (w == "the" ? 1 : 0);
  if (j < t.size()) {
    if (auto d = day_of_month(t[j].lower)) {
      std::size_t k = j + 1 + (is(t, j + 1, "of") ? 1 : 0);
      if (k < t.size()) {
        if (auto m = month_of(t[k].lower)) {
          auto y = year_at(t, k + 1);
          if (auto date = upcoming(c, *m, *d, y)) return date_only(k + 1 + (y ? 1 : 0) - i, *date);
        }
      }
    }
  }
  return std::nullopt;
}

// "5pm", "5:30pm", "17:30", "5" (only when `bare_hour`), with a following "am"/"pm".
std::optional<Part> clock_time(const std::vector<Token>& t, std::size_t i, bool bare_hour) {
  if (i >= t.size()) return std::nullopt;
  std::string_view w = t[i].lower;
  std::optional<bool> pm;
  auto strip_suffix = [&](std::string_view suffix, bool is_pm) {
    if (w.size() > suffix.size() && w.substr(w.size() - suffix.size()) == suffix) {
      w.remove_suffix(suffix.size());
      pm = is_pm;
    }
  };
  strip_suffix("am", false);
  if (!pm) strip_suffix("pm", true);
  if (!pm) strip_suffix("a.m", false);
  if (!pm) strip_suffix("p.m", true);
  std::size_t len = 1;
  if (!pm && i + 1 < t.size()) {
    const std::string& next = t[i + 1].lower;
    if (next == "am" || next == "a.m") pm = false, len = 2;
    if (next == "pm" || next == "p.m") pm = true, len = 2;
  }
  int hour = 0, minute = 0;
  std::size_t k = 0, digits = 0;
  while (k < w.size() && w[k] >= '0' && w[k] <= '9' && digits < 2)
    hour = hour * 10 + (w[k++] - '0'), ++digits;
  if (digits == 0) return std::nullopt;
  bool has_minutes = false;
  if (k < w.size() && (w[k] == ':' || (w[k] == '.' && pm))) {  // "2.50" alone is no time
    ++k;
    if (k + 2 != w.size() || w[k] < '0' || w[k] > '5' || w[k + 1] < '0' || w[k + 1] > '9')
      return std::nullopt;
    minute = (w[k] - '0') * 10 + (w[k + 1] - '0');
    k += 2;
    has_minutes = true;
  }
  if (k != w.size()) return std::nullopt;
  if (pm) {
    if (hour < 1 || hour > 12) return std::nullopt;
    hour = hour % 12 + (*pm ? 12 : 0);
  } else {
    if (!has_minutes && !bare_hour) return std::nullopt;  // "5" alone is not a time
    if (hour > 23) return std::nullopt;
  }
  return time_only(len, hour * 60 + minute);
}

std::optional<Part> time_part(const std::vector<Token>& t, std::size_t i) {
  if (i >= t.size()) return std::nullopt;
  const std::string& w = t[i].lower;
  if (w == "at" || w == "@") {
    auto inner = time_part(t, i + 1);
    if (!inner) inner = clock_time(t, i + 1, true);
    if (inner) inner->len += 1;
    return inner;
  }
  if (w == "noon" || w == "midday") return time_only(1, 12 * 60);
  if (w == "midnight") return time_only(1, 24 * 60);
  if (w == "morning") return time_only(1, 9 * 60);
  if (w == "afternoon") return time_only(1, 15 * 60);
  if (w == "evening") return time_only(1, 18 * 60);
  if (w == "in" && is(t, i + 1, "the")) {
    if (auto p = time_part(t, i + 2);
        p && p->len == 1 && !(t[i + 2].lower[0] >= '0' && t[i + 2].lower[0] <= '9')) {
      p->len += 2;
      return p;
    }
  }
  return clock_time(t, i, false);
}

}  // namespace

Date add_days(const Date& date, int days) {
  return Date{sys_days{date} + std::chrono::days{days}};
}

int weekday_monday0(const Date& date) {
  return static_cast<int>((weekday{sys_days{date}}.c_encoding() + 6) % 7);
}

std::optional<Clock> make_clock(Millis now, std::string_view timezone) {
  auto local = zoned_time(now, timezone);
  if (!local) return std::nullopt;
  Clock c;
  c.now = now;
  c.timezone = std::string(timezone);
  c.local = *local;
  c.today =
      Date{std::chrono::year{local->year}, std::chrono::month{static_cast<unsigned>(local->month)},
           std::chrono::day{static_cast<unsigned>(local->day)}};
  return c;
}

std::optional<Millis> local_instant(const Date& date, int minutes, const Clock& clock) {
  Date d = date;
  if (minutes >= 24 * 60) d = add_days(d, minutes / (24 * 60)), minutes %= 24 * 60;
  ZonedTime local;
  local.year = static_cast<int>(d.year());
  local.month = static_cast<int>(static_cast<unsigned>(d.month()));
  local.day = static_cast<int>(static_cast<unsigned>(d.day()));
  local.hour = minutes / 60;
  local.minute = minutes % 60;
  return local_to_utc(local, clock.timezone);
}

std::optional<When> match_when(const std::vector<Token>& t, std::size_t i, const Clock& c) {
  When when;
  when.first = i;
  std::size_t j = i;
  bool progressed = true;
  while (progressed && j < t.size()) {
    progressed = false;
    if (!when.date && !when.instant) {
      if (auto p = date_part(t, j, c)) {
        when.date = p->date;
        when.instant = p->instant;
        when.default_minutes = p->default_minutes;
        j += p->len;
        progressed = true;
        if (when.instant) break;  // "in 2 hours" is complete
        continue;
      }
    }
    if (!when.minutes && !when.instant) {
      if (auto p = time_part(t, j)) {
        when.minutes = p->minutes;
        // "tonight at 9": the evening's 9.
        if (when.default_minutes == 20 * 60 && *when.minutes < 12 * 60) *when.minutes += 12 * 60;
        j += p->len;
        progressed = true;
      }
    }
  }
  if (j == i) return std::nullopt;
  when.last = j;
  return when;
}

std::optional<Millis> resolve(const When& when, const Clock& clock, int fallback_minutes) {
  if (when.instant) return when.instant;
  const int minutes = when.minutes.value_or(when.default_minutes.value_or(fallback_minutes));
  if (when.date) return local_instant(*when.date, minutes, clock);
  auto today = local_instant(clock.today, minutes, clock);
  if (today && *today > clock.now) return today;
  return local_instant(add_days(clock.today, 1), minutes, clock);
}

// The time of day at tokens[i] (for the repeat phrases of repeat.cpp).
std::optional<std::pair<std::size_t, int>> detail::time_at(const std::vector<Token>& t,
                                                           std::size_t i) {
  auto p = time_part(t, i);
  if (!p || !p->minutes) return std::nullopt;
  return std::pair{p->len, *p->minutes};
}

}  // namespace todo::assistant

// Repeat phrases ("every weekday at 9", "every Monday and Thursday", "monthly") → RFC 5545
// RRULEs and their first occurrence (assistant/when.hpp).
#include "assistant/when.hpp"

namespace todo::assistant {

std::optional<Repeat> match_repeat(const std::vector<Token>& t, std::size_t i) {
  if (i >= t.size()) return std::nullopt;
  const std::string& w = t[i].lower;
  Repeat r;
  r.first = i;
  std::string freq;
  int interval = 1;
  std::size_t j = i + 1;
  if (w == "daily" || w == "everyday") {
    freq = "DAILY";
  } else if (w == "weekly") {
    freq = "WEEKLY";
  } else if (w == "monthly") {
    freq = "MONTHLY";
  } else if (w == "yearly" || w == "annually") {
    freq = "YEARLY";
  } else if (w == "on" && (is(t, i + 1, "weekdays") || is(t, i + 1, "workdays"))) {
    freq = "WEEKLY", r.weekdays = 0x1F, j = i + 2;
  } else if (w == "every" || w == "each") {
    if (j >= t.size()) return std::nullopt;
    std::string unit = t[j].lower;
    if (unit == "other") {
      interval = 2;
      if (++j >= t.size()) return std::nullopt;
      unit = t[j].lower;
    } else if (auto n = number_of(unit); n && *n >= 1 && *n <= 365 && j + 1 < t.size()) {
      interval = *n;
      unit = t[++j].lower;
    }
    if (!unit.empty() && unit.back() == 's' && unit != "weekdays" && unit != "workdays")
      unit.pop_back();
    ++j;
    if (unit == "day") {
      freq = "DAILY";
    } else if (unit == "week") {
      freq = "WEEKLY";
    } else if (unit == "month") {
      freq = "MONTHLY";
    } else if (unit == "year") {
      freq = "YEARLY";
    } else if (interval == 1 && (unit == "weekday" || unit == "weekdays" || unit == "workday" ||
                                 unit == "workdays")) {
      freq = "WEEKLY", r.weekdays = 0x1F;
    } else if (interval == 1 && unit == "weekend") {
      freq = "WEEKLY", r.weekdays = 0x60;
    } else if (interval == 1 && (unit == "morning" || unit == "evening")) {
      freq = "DAILY", r.minutes = unit == "morning" ? 9 * 60 : 18 * 60;
    } else if (auto wd = weekday_of(t[j - 1].lower)) {
      // every Monday [and|&] Thursday ...
      freq = "WEEKLY";
      r.weekdays = 1u << *wd;
      while (j < t.size()) {
        std::size_t k = j;
        if (t[k].lower == "and" || t[k].lower == "&") ++k;
        if (k >= t.size()) break;
        auto more = weekday_of(t[k].lower);
        if (!more) break;
        r.weekdays |= 1u << *more;
        j = k + 1;
      }
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  r.rule = "FREQ=" + freq;
  if (interval > 1) r.rule += ";INTERVAL=" + std::to_string(interval);
  if (r.weekdays) {
    r.rule += ";BYDAY=";
    bool first = true;
    for (int d = 0; d < 7; ++d)
      if (r.weekdays & (1u << d)) {
        if (!first) r.rule += ',';
        r.rule += kRruleDays[d];
        first = false;
      }
  }
  // "every 2 weeks at 9", "every day 9am"
  if (auto p = detail::time_at(t, j)) {
    r.minutes = p->second;
    j += p->first;
  }
  r.last = j;
  return r;
}

std::optional<Millis> first_occurrence(const Repeat& repeat, const std::optional<When>& due,
                                       const Clock& clock) {
  const int minutes = repeat.minutes.value_or(kDefaultMinutes);
  if (due) return resolve(*due, clock, minutes);
  for (int ahead = 0; ahead < 8; ++ahead) {
    const Date day = add_days(clock.today, ahead);
    if (repeat.weekdays && !(repeat.weekdays & (1u << weekday_monday0(day)))) continue;
    auto t = local_instant(day, minutes, clock);
    if (t && *t > clock.now) return t;
  }
  return std::nullopt;
}

}  // namespace todo::assistant

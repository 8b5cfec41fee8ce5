// parse(): RFC 5545 §3.3.10 "recur" grammar and rules. See rrule.hpp for why by hand.
#include "tasks/rrule.hpp"

#include <array>
#include <cstdint>

namespace todo::rrule {
namespace {

using Outcome = std::variant<Rule, std::string>;

constexpr std::array<std::string_view, 7> kWeekdays = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
constexpr std::array<std::string_view, 7> kFreqs = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY",
                                                    "WEEKLY",   "MONTHLY",  "YEARLY"};
// libical keeps INTERVAL in a short.
constexpr int kMaxInterval = 32767;
constexpr long long kMaxCount = 999'999'999;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// [sign] 1*max_digits DIGIT -> the number; nullopt when it is not that.
std::optional<long long> integer(std::string_view s, bool signed_ok, std::size_t max_digits) {
  int sign = 1;
  if (signed_ok && !s.empty() && (s.front() == '+' || s.front() == '-')) {
    sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (!all_digits(s) || s.size() > max_digits) return std::nullopt;
  long long n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return sign * n;
}

std::optional<int> weekday(std::string_view s) {
  for (std::size_t i = 0; i < kWeekdays.size(); ++i)
    if (s == kWeekdays[i]) return int(i);
  return std::nullopt;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string range_text(int lo, int hi, bool negatives) {
  std::string text = std::to_string(lo) + " to " + std::to_string(hi);
  if (negatives) text += " or -" + std::to_string(hi) + " to -" + std::to_string(lo);
  return text;
}

// A BYxxx number list: each value in lo..hi (or -hi..-lo when negatives are allowed).
std::optional<std::string> number_list(std::string_view name, std::string_view value, int lo,
                                       int hi, bool negatives, std::vector<int>& out) {
  for (std::string_view item : split(value, ',')) {
    auto n = integer(item, negatives, 3);
    bool ok = n && ((*n >= lo && *n <= hi) || (negatives && *n <= -lo && *n >= -hi));
    if (!ok)
      return std::string(name) + " values must be " + range_text(lo, hi, negatives) + ", got '" +
             std::string(item) + "'";
    out.push_back(int(*n));
  }
  return std::nullopt;
}

std::optional<std::string> byday_list(std::string_view value, std::vector<WeekdayNum>& out) {
  for (std::string_view item : split(value, ',')) {
    std::string_view day = item.size() >= 2 ? item.substr(item.size() - 2) : item;
    std::string_view number = item.substr(0, item.size() - day.size());
    auto wd = weekday(day);
    std::optional<long long> n = number.empty() ? 0 : integer(number, true, 2);
    if (!wd || !n || (!number.empty() && (*n == 0 || *n > 53 || *n < -53)))
      return "BYDAY values must be a weekday (MO, TU, WE, TH, FR, SA, SU), optionally numbered "
             "1 to 53 or -53 to -1 (e.g. 2TU, -1FR), got '" +
             std::string(item) + "'";
    out.push_back({int(*n), *wd});
  }
  return std::nullopt;
}

bool leap(long long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// UNTIL: DATE (YYYYMMDD) or a UTC DATE-TIME (YYYYMMDDTHHMMSSZ); the calendar date must
// exist. A local time is refused: with a DTSTART that has a time zone (ours always has),
// RFC 5545 requires UTC.
std::optional<std::string> until_value(std::string_view v, Rule& rule) {
  const std::string example = " (e.g. UNTIL=20261231 or UNTIL=20261231T235959Z)";
  if (v.size() != 8 && v.size() != 15 && v.size() != 16)
    return "UNTIL must be a date or a UTC date-time" + example;
  auto date = integer(v.substr(0, 8), false, 8);
  if (!date) return "UNTIL must be a date or a UTC date-time" + example;
  const long long y = *date / 10000, m = *date / 100 % 100, d = *date % 100;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && leap(y)))
    return "UNTIL names a day that does not exist" + example;
  rule.has_until = true;
  rule.until_is_date = v.size() == 8;
  if (rule.until_is_date) return std::nullopt;
  if (v[8] != 'T') return "UNTIL must be a date or a UTC date-time" + example;
  auto time = integer(v.substr(9, 6), false, 6);
  if (!time || *time / 10000 > 23 || *time / 100 % 100 > 59 || *time % 100 > 60)
    return "UNTIL has no valid time of day" + example;
  if (v.size() == 15 || v[15] != 'Z')
    return "UNTIL with a time must be in UTC, ending in Z (RFC 5545: the task's start has a "
           "time zone)" +
           example;
  return std::nullopt;
}

// One "NAME=value" part into `rule`; `seen` guards against repeats.
std::optional<std::string> rule_part(std::string_view name, std::string_view value, Rule& rule,
                                     bool& has_freq) {
  if (name == "FREQ") {
    for (std::size_t i = 0; i < kFreqs.size(); ++i)
      if (value == kFreqs[i]) {
        rule.freq = Freq(i);
        has_freq = true;
        return std::nullopt;
      }
    return "FREQ must be SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY, got '" +
           std::string(value) + "'";
  }
  if (name == "UNTIL") return until_value(value, rule);
  if (name == "COUNT") {
    auto n = integer(value, false, 9);
    if (!n || *n < 1 || *n > kMaxCount) return "COUNT must be a whole number from 1 to 999999999";
    rule.count = *n;
    return std::nullopt;
  }
  if (name == "INTERVAL") {
    auto n = integer(value, false, 5);
    if (!n || *n < 1 || *n > kMaxInterval) return "INTERVAL must be a whole number from 1 to 32767";
    rule.interval = int(*n);
    return std::nullopt;
  }
  if (name == "WKST") {
    auto wd = weekday(value);
    if (!wd) return "WKST must be a weekday: MO, TU, WE, TH, FR, SA or SU";
    rule.week_start = *wd;
    return std::nullopt;
  }
  if (name == "BYSECOND") return number_list(name, value, 0, 60, false, rule.by_second);
  if (name == "BYMINUTE") return number_list(name, value, 0, 59, false, rule.by_minute);
  if (name == "BYHOUR") return number_list(name, value, 0, 23, false, rule.by_hour);
  if (name == "BYMONTHDAY") return number_list(name, value, 1, 31, true, rule.by_month_day);
  if (name == "BYYEARDAY") return number_list(name, value, 1, 366, true, rule.by_year_day);
  if (name == "BYWEEKNO") return number_list(name, value, 1, 53, true, rule.by_week_no);
  if (name == "BYMONTH") return number_list(name, value, 1, 12, false, rule.by_month);
  if (name == "BYSETPOS") return number_list(name, value, 1, 366, true, rule.by_set_pos);
  if (name == "BYDAY") return byday_list(value, rule.by_day);
  if (name == "RSCALE" || name == "SKIP")
    return std::string(name) + " (RFC 7529 calendar scales) is not supported";
  return "unknown rule part '" + std::string(name) + "'";
}

const char* freq_name(Freq f) {
  return kFreqs[std::size_t(f)].data();
}

// The combinations §3.3.10 forbids, once every part is known.
std::optional<std::string> combination_error(const Rule& r) {
  const std::string freq = std::string("FREQ=") + freq_name(r.freq);
  if (r.count && r.has_until) return "COUNT and UNTIL must not both be given";
  if (!r.by_week_no.empty() && r.freq != Freq::yearly)
    return "BYWEEKNO is only allowed with FREQ=YEARLY, not " + freq;
  if (!r.by_year_day.empty() &&
      (r.freq == Freq::daily || r.freq == Freq::weekly || r.freq == Freq::monthly))
    return "BYYEARDAY is not allowed with " + freq;
  if (!r.by_month_day.empty() && r.freq == Freq::weekly)
    return "BYMONTHDAY is not allowed with FREQ=WEEKLY";
  for (const WeekdayNum& d : r.by_day) {
    if (d.ordinal == 0) continue;
    const std::string item = std::to_string(d.ordinal) + std::string(kWeekdays[d.weekday]);
    if (r.freq != Freq::monthly && r.freq != Freq::yearly) {
      std::string why = "BYDAY=" + item;
      why += ": a numbered weekday needs FREQ=MONTHLY or FREQ=YEARLY, not ";
      return why + freq;
    }
    if (r.freq == Freq::yearly && !r.by_week_no.empty())
      return "BYDAY=" + item + ": a numbered weekday is not allowed with FREQ=YEARLY and BYWEEKNO";
    if (r.freq == Freq::monthly && (d.ordinal > 5 || d.ordinal < -5))
      return "BYDAY=" + item + ": with FREQ=MONTHLY the number must be 1 to 5 or -5 to -1";
  }
  const bool other_by = !r.by_second.empty() || !r.by_minute.empty() || !r.by_hour.empty() ||
                        !r.by_day.empty() || !r.by_month_day.empty() || !r.by_year_day.empty() ||
                        !r.by_week_no.empty() || !r.by_month.empty();
  if (!r.by_set_pos.empty() && !other_by)
    return "BYSETPOS is only allowed together with another BYxxx rule part";
  return std::nullopt;
}

}  // namespace

std::variant<Rule, std::string> parse(std::string_view text) {
  const std::string rule_text = upper(text);
  Rule rule;
  bool has_freq = false;
  std::vector<std::string_view> seen;
  for (std::string_view part : split(rule_text, ';')) {
    const std::size_t eq = part.find('=');
    if (part.empty()) return Outcome("has an empty rule part (two ';' in a row, or one at an end)");
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == part.size())
      return Outcome("rule part '" + std::string(part) + "' must look like NAME=value");
    const std::string_view name = part.substr(0, eq);
    for (std::string_view earlier : seen)
      if (earlier == name) return Outcome(std::string(name) + " must not appear more than once");
    seen.push_back(name);
    if (auto e = rule_part(name, part.substr(eq + 1), rule, has_freq)) return Outcome(*e);
  }
  if (!has_freq) return Outcome("FREQ is required (e.g. FREQ=WEEKLY)");
  if (auto e = combination_error(rule)) return Outcome(*e);
  return Outcome(std::move(rule));
}

}  // namespace todo::rrule

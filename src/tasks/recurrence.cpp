#include "tasks/recurrence.hpp"

#include <libical/ical.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <variant>

#include "core/log.hpp"
#include "tasks/rrule.hpp"

namespace todo {
namespace {

constexpr std::size_t kMaxRuleBytes = 500;
constexpr std::size_t kMaxZoneNameBytes = 64;
// The most instances one expansion steps through before giving up (a warning in the log):
// about 0.2 s of libical at ~2 µs an instance. Rules accepted by rrule_error reach it only
// with a DTSTART centuries before `after` and a COUNT (which forbids skipping ahead).
constexpr int kMaxInstances = 100'000;

// libical keeps process-wide state (icalerrno, the lazily loaded builtin time zone table,
// which is not thread-safe on first load), so every call into it is serialised.
std::mutex& libical_mutex() {
  static std::mutex m;
  return m;
}

// Zone names become file paths inside libical (system zoneinfo), so only plain IANA
// spellings get that far: no "..", no absolute paths, no odd bytes.
// Nor files of the zone database that are not IANA zone names: "localtime" (the host's own
// zone), "posixrules", "Factory", the trees "posix/" and "right/" (copies with and without
// leap seconds), and empty or "." segments ("Europe//Berlin").
bool plausible_zone_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxZoneNameBytes || name.front() == '/' ||
      name.back() == '/' || name.find("..") != std::string_view::npos ||
      name.find("//") != std::string_view::npos || name.find("/./") != std::string_view::npos ||
      name.starts_with("./") || name.starts_with("posix/") || name.starts_with("right/") ||
      name == "localtime" || name == "posixrules" || name == "Factory") {
    return false;
  }
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

bool has_rrule_prefix(std::string_view rule) {
  constexpr std::string_view kPrefix = "RRULE:";
  if (rule.size() < kPrefix.size()) return false;
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    const char c = rule[i];
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (upper != kPrefix[i]) return false;
  }
  return true;
}

// Names and values of a rule are case-insensitive (RFC 5545 ABNF); libical wants "T" and
// "Z" of UNTIL in upper case.
std::string upper(std::string_view rule) {
  std::string out(rule);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Caller holds libical_mutex(). The UTC offset (seconds) of `zone` at the instant `utc`
// (seconds since the epoch).
int utc_offset_locked(icaltimezone* zone, std::int64_t utc) {
  icaltimetype local = icaltime_from_timet_with_zone(static_cast<time_t>(utc), 0, zone);
  int is_daylight = 0;
  return icaltimezone_get_utc_offset(zone, &local, &is_daylight);
}

// Caller holds libical_mutex(). The UTC instant (seconds) of the wall-clock time `naive` in
// `zone` (its fields read as if it were UTC), as RFC 5545 §3.3.5 reads a DATE-TIME with TZID:
// a time that occurs twice is its first occurrence, one that does not occur (the clocks go
// forward) is read with the UTC offset before the gap.
std::int64_t wall_clock_to_utc_locked(icaltimezone* zone, std::int64_t naive) {
  // Offsets change at most a few times a year, never twice within two days, so the offsets
  // a day before and a day after are the only candidates (equal unless a change is near).
  const int before = utc_offset_locked(zone, naive - 86400);
  const int after = utc_offset_locked(zone, naive + 86400);
  const std::int64_t first = naive - before;  // read with the earlier offset
  const std::int64_t second = naive - after;  // read with the later offset
  const bool first_ok = utc_offset_locked(zone, first) == before;
  const bool second_ok = utc_offset_locked(zone, second) == after;
  if (first_ok && second_ok) return std::min(first, second);  // an overlap: the first
  if (second_ok && !first_ok) return second;
  return first;  // a gap (neither reading exists): the offset before it
}

// A wall-clock date and time read as if it were UTC: seconds since the epoch.
std::int64_t naive_seconds(int y, int mo, int d, int h, int mi, int s) {
  using namespace std::chrono;
  const sys_days day{year{y} / month{static_cast<unsigned>(mo)} / static_cast<unsigned>(d)};
  return static_cast<std::int64_t>(day.time_since_epoch().count()) * 86400 +
         std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + s;
}

std::int64_t naive_seconds(const icaltimetype& t) {
  return naive_seconds(t.year, t.month, t.day, t.hour, t.minute, t.second);
}

// Caller holds libical_mutex(). nullptr when unknown.
icaltimezone* find_zone_locked(std::string_view name) {
  if (name == "UTC") return icaltimezone_get_utc_timezone();
  if (!plausible_zone_name(name)) return nullptr;
  return icaltimezone_get_builtin_timezone(std::string(name).c_str());
}

// Caller holds libical_mutex(). Parses and checks that libical can iterate the rule
// (icalrecur_iterator_new catches out-of-range parts such as BYMONTH=13 that the
// string parser lets through).
std::optional<icalrecurrencetype> parse_rule_locked(const std::string& rule) {
  icalerror_clear_errno();
  const icalrecurrencetype recur = icalrecurrencetype_from_string(rule.c_str());
  if (recur.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
    icalerror_clear_errno();
    return std::nullopt;
  }
  icaltimetype probe = icaltime_from_timet_with_zone(0, 0, icaltimezone_get_utc_timezone());
  icalrecur_iterator* it = icalrecur_iterator_new(recur, probe);
  const bool ok = it != nullptr && icalerrno == ICAL_NO_ERROR;
  if (it != nullptr) icalrecur_iterator_free(it);
  icalerror_clear_errno();
  if (!ok) return std::nullopt;
  return recur;
}

}  // namespace

std::optional<std::string> rrule_error(std::string_view rule) {
  if (rule.empty()) return "must not be empty";
  if (rule.size() > kMaxRuleBytes) return "must be at most 500 bytes";
  if (has_rrule_prefix(rule)) return "must be the bare rule, without the \"RRULE:\" prefix";
  for (const char c : rule) {
    // RRULE syntax is printable ASCII without spaces; anything else (NUL in particular,
    // which would cut the C string libical sees) is rejected up front.
    if (c <= ' ' || c > '~') return "must contain only printable ASCII characters";
  }
  // The RFC's rules first (libical would let most of them pass), then whether libical can
  // iterate what is left.
  auto parsed = rrule::parse(rule);
  if (auto* why = std::get_if<std::string>(&parsed)) return std::move(*why);
  const auto& checked = std::get<rrule::Rule>(parsed);
  if (!rrule::has_occurrence(checked))
    return "has no occurrence at all: no date satisfies every BYxxx part (e.g. BYMONTH=2 with "
           "BYMONTHDAY=30)";
  if (auto why = rrule::expansion_error(checked)) return std::move(*why);
  std::lock_guard lock(libical_mutex());
  if (!parse_rule_locked(upper(rule))) return "is not supported by the recurrence engine (libical)";
  return std::nullopt;
}

bool is_known_timezone(std::string_view iana_name) {
  if (iana_name == "UTC") return true;
  if (!plausible_zone_name(iana_name)) return false;
  std::lock_guard lock(libical_mutex());
  return find_zone_locked(iana_name) != nullptr;
}

std::optional<ZonedTime> zoned_time(Millis t, std::string_view timezone) {
  std::lock_guard lock(libical_mutex());
  icaltimezone* zone = find_zone_locked(timezone);
  if (zone == nullptr) return std::nullopt;
  const time_t seconds = static_cast<time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
  icaltimetype local = icaltime_from_timet_with_zone(seconds, 0, zone);
  int is_daylight = 0;
  ZonedTime z;
  z.utc_offset_seconds = icaltimezone_get_utc_offset(zone, &local, &is_daylight);
  z.year = local.year, z.month = local.month, z.day = local.day;
  z.hour = local.hour, z.minute = local.minute, z.second = local.second;
  z.weekday = icaltime_day_of_week(local) - 1;  // libical: 1 = Sunday
  // libical names a zone "STD/DST" (e.g. "CET/CEST"), or one name when it has no DST.
  const char* names = icaltimezone_get_tznames(zone);
  std::string_view both = names ? names : "";
  auto slash = both.find('/');
  if (both.empty())
    z.abbreviation = timezone == "UTC" ? "UTC" : "";
  else if (slash == std::string_view::npos)
    z.abbreviation = std::string(both);
  else
    z.abbreviation = std::string(is_daylight ? both.substr(slash + 1) : both.substr(0, slash));
  icalerror_clear_errno();
  return z;
}

std::optional<Millis> local_to_utc(const ZonedTime& local, std::string_view timezone) {
  const std::int64_t naive =
      naive_seconds(local.year, local.month, local.day, local.hour, local.minute, local.second);
  std::lock_guard lock(libical_mutex());
  icaltimezone* zone = find_zone_locked(timezone);
  if (zone == nullptr) return std::nullopt;
  const std::int64_t utc = wall_clock_to_utc_locked(zone, naive);
  icalerror_clear_errno();
  return static_cast<Millis>(utc) * 1000;
}

std::vector<Millis> occurrences(std::string_view rule, std::string_view timezone, Millis dtstart,
                                Millis after, int max_count) {
  std::vector<Millis> found;
  if (max_count < 1) return found;
  if (auto why = rrule_error(rule)) {
    // Input is refused before it is stored; a stored rule refused now (a rule written by
    // hand, or one accepted before a limit of the engine was known) ends its series: say so.
    log::warn("recurrence: the rule '{}' is not expanded: it {}", rule, *why);
    return found;
  }
  std::lock_guard lock(libical_mutex());
  icaltimezone* zone = find_zone_locked(timezone);
  if (zone == nullptr) return found;
  const std::optional<icalrecurrencetype> recur = parse_rule_locked(upper(rule));
  if (!recur) return found;

  // libical works in whole seconds on local wall-clock time; the sub-second part of
  // dtstart is carried over to every occurrence.
  const Millis start_seconds = dtstart >= 0 ? dtstart / 1000 : (dtstart - 999) / 1000;
  const Millis sub_second = dtstart - start_seconds * 1000;
  icaltimetype start = icaltime_from_timet_with_zone(static_cast<time_t>(start_seconds), 0, zone);

  // `after` on the zone's wall clock. Instances more than two days of wall-clock time before
  // it are before `after` whatever the offsets (they differ by 26 hours at most): the
  // expansion loop does not convert them.
  const Millis after_seconds = after >= 0 ? after / 1000 : (after - 999) / 1000;
  const std::int64_t after_wall =
      naive_seconds(icaltime_from_timet_with_zone(static_cast<time_t>(after_seconds), 0, zone));

  // Skip ahead: without COUNT, a rule of fixed-length periods (SECONDLY to WEEKLY) has the
  // same instances from DTSTART moved on by whole INTERVALs of wall-clock time (its BYxxx
  // defaults -- DTSTART's time of day, weekday -- and its week boundaries move with it), so
  // the expansion starts a little before `after` instead of at DTSTART: a MINUTELY task
  // started two years ago costs a few steps, not a million. The margin covers a UTC offset
  // change between the two (two hours) and one period. MONTHLY and YEARLY need few steps.
  static constexpr std::int64_t kPeriodSeconds[] = {1, 60, 3600, 86400, 604800};  // to WEEKLY
  if (recur->count == 0 && recur->freq >= ICAL_SECONDLY_RECURRENCE &&
      recur->freq <= ICAL_WEEKLY_RECURRENCE) {
    const std::int64_t period = kPeriodSeconds[recur->freq - ICAL_SECONDLY_RECURRENCE] *
                                std::max<short>(recur->interval, 1);
    const std::int64_t from = naive_seconds(start);
    constexpr std::int64_t kOffsetMargin = 7200;  // a day-light saving change: two hours at most
    const std::int64_t periods = (after_wall - kOffsetMargin - period - from) / period;
    // Built as DTSTART is (from an instant: libical's iteration across a change of offset
    // depends on how its start was made), on a wall-clock time that exists (not in a gap).
    for (std::int64_t k = periods; k > 0 && k > periods - 4; --k) {
      const std::int64_t wall = from + k * period;
      const icaltimetype moved = icaltime_from_timet_with_zone(
          static_cast<time_t>(wall_clock_to_utc_locked(zone, wall)), 0, zone);
      if (naive_seconds(moved) != wall) continue;
      start = moved;
      break;
    }
  }

  icalrecur_iterator* it = icalrecur_iterator_new(*recur, start);
  if (it == nullptr) {
    icalerror_clear_errno();
    return found;
  }
  int i = 0;
  for (; i < kMaxInstances; ++i) {
    const icaltimetype occurrence = icalrecur_iterator_next(it);
    if (icaltime_is_null_time(occurrence)) break;
    if (naive_seconds(occurrence) < after_wall - 2 * 86400LL) continue;
    // The iterator yields wall-clock times in `zone` (RFC 5545 §3.3.10: a time that does
    // not exist, or exists twice, is read as §3.3.5 reads a DATE-TIME).
    const Millis t =
        static_cast<Millis>(wall_clock_to_utc_locked(zone, naive_seconds(occurrence))) * 1000 +
        sub_second;
    if (t <= after) continue;
    found.push_back(t);
    if (int(found.size()) == max_count) break;
  }
  if (i == kMaxInstances)
    log::warn("recurrence: gave up expanding '{}' after {} instances (DTSTART {} ms)", rule,
              kMaxInstances, dtstart);
  icalrecur_iterator_free(it);
  icalerror_clear_errno();
  return found;
}

std::optional<Millis> next_occurrence(std::string_view rule, std::string_view timezone,
                                      Millis dtstart, Millis after) {
  auto next = occurrences(rule, timezone, dtstart, after, 1);
  if (next.empty()) return std::nullopt;
  return next.front();
}

}  // namespace todo

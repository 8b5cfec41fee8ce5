#include "tasks/recurrence.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace todo {
namespace {

Millis at(const char* rfc3339) {
  return *parse_rfc3339(rfc3339);
}

// Valid rules, one or more per rule part and per allowed combination (RFC 5545 §3.3.10
// and its examples).
TEST(RruleError, AcceptsValidRules) {
  for (const char* rule :
       {"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYMONTHDAY=1",
        "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
        "FREQ=DAILY;INTERVAL=3;COUNT=10", "FREQ=WEEKLY;UNTIL=20261231T235959Z",
        "FREQ=HOURLY;INTERVAL=6",
        "freq=weekly;byday=mo,fr",  // names and values: any case
        "INTERVAL=2;FREQ=WEEKLY",   // parts in any order
        "FREQ=SECONDLY;BYSECOND=0,30", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        "FREQ=DAILY;BYSECOND=60,0", "FREQ=DAILY;BYMONTH=1,2;BYDAY=MO", "FREQ=DAILY;BYMONTHDAY=-1",
        "FREQ=WEEKLY;UNTIL=20261231", "FREQ=WEEKLY;WKST=SU;BYDAY=TU,TH;INTERVAL=2",
        "FREQ=MONTHLY;BYDAY=1MO,+2TU,-5SU", "FREQ=MONTHLY;BYMONTHDAY=-31,31",
        "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=1,-1", "FREQ=YEARLY;BYDAY=20MO",
        "FREQ=YEARLY;BYDAY=-53SU", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "FREQ=YEARLY;BYWEEKNO=-1,53",
        "FREQ=YEARLY;BYYEARDAY=1,-1,366", "FREQ=HOURLY;BYYEARDAY=100",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",  // leap years only
        "FREQ=YEARLY;BYMONTH=1;BYDAY=5MO", "FREQ=MONTHLY;BYMONTH=2;BYDAY=5SU",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",  // US election day
        "FREQ=YEARLY;BYSETPOS=-11;BYYEARDAY=1,2,3,4,5,6,7,8,9,10,366", "FREQ=DAILY;COUNT=999999999",
        "FREQ=DAILY;INTERVAL=32767", "FREQ=YEARLY;UNTIL=20280229",
        "FREQ=YEARLY;BYMONTH=2;BYDAY=-5SU;BYMONTHDAY=1",  // Feb 1 of a leap year, a Sunday
        "FREQ=YEARLY;BYSETPOS=11;BYYEARDAY=1,2,3,4,5,6,7,8,9,10,366",
        // finer than DAILY within the engine's bounds
        "FREQ=MINUTELY;BYDAY=MO",    // up to 8641 minutes between instances
        "FREQ=HOURLY;BYMONTH=2",     // about 8 100 hours from one February to the next
        "FREQ=SECONDLY;BYMINUTE=0",  // up to 3541 seconds
        "FREQ=HOURLY;INTERVAL=5;BYMINUTE=0,30", "FREQ=HOURLY;BYHOUR=9,17",
        "FREQ=MINUTELY;COUNT=100000"}) {
    EXPECT_EQ(rrule_error(rule), std::nullopt) << rule;
  }
}

// One invalid rule per constraint, and the words the refusal must contain to say which.
TEST(RruleError, RefusesEachBrokenRuleAndSaysWhich) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      // syntax
      {"", "must not be empty"},
      {"hello", "NAME=value"},
      {"FREQ=DAILY ", "printable ASCII"},
      {"FREQ=DAILY;", "empty rule part"},
      {";FREQ=DAILY", "empty rule part"},
      {"FREQ=DAILY;;COUNT=2", "empty rule part"},
      {"FREQ=DAILY;COUNT", "NAME=value"},
      {"FREQ=DAILY;COUNT=", "NAME=value"},
      {"FREQ=DAILY;=2", "NAME=value"},
      {"FREQ=DAILY;FOO=BAR", "unknown rule part 'FOO'"},
      {"FREQ=DAILY;X-NAME=1", "unknown rule part"},
      {"RSCALE=HEBREW;FREQ=YEARLY", "RSCALE"},
      {"FREQ=YEARLY;SKIP=FORWARD", "SKIP"},
      // FREQ: required, once, a known value
      {"BYDAY=MO", "FREQ is required"},
      {"COUNT=3", "FREQ is required"},
      {"FREQ=SOMETIMES", "FREQ must be"},
      {"FREQ=DAILY;FREQ=WEEKLY", "FREQ must not appear more than once"},
      {"FREQ=DAILY;FREQ=DAILY", "FREQ must not appear more than once"},
      // every other part at most once
      {"FREQ=DAILY;COUNT=2;COUNT=3", "COUNT must not appear more than once"},
      {"FREQ=WEEKLY;BYDAY=MO;BYDAY=TU", "BYDAY must not appear more than once"},
      {"FREQ=DAILY;INTERVAL=2;interval=3", "INTERVAL must not appear more than once"},
      {"FREQ=YEARLY;BYMONTH=1;BYMONTH=2", "BYMONTH must not appear more than once"},
      // UNTIL and COUNT
      {"FREQ=DAILY;COUNT=5;UNTIL=20260101T000000Z", "COUNT and UNTIL"},
      {"FREQ=DAILY;UNTIL=20260101;COUNT=5", "COUNT and UNTIL"},
      {"FREQ=DAILY;COUNT=0", "COUNT must be"},
      {"FREQ=DAILY;COUNT=-1", "COUNT must be"},
      {"FREQ=DAILY;COUNT=abc", "COUNT must be"},
      {"FREQ=DAILY;COUNT=1000000000", "COUNT must be"},
      {"FREQ=DAILY;UNTIL=garbage", "UNTIL must be"},
      {"FREQ=DAILY;UNTIL=2026-12-31", "UNTIL must be"},
      {"FREQ=DAILY;UNTIL=20261231T235959", "UTC"},  // local time: our DTSTART has a zone
      {"FREQ=DAILY;UNTIL=20261231T235959+0100", "UNTIL must be"},
      {"FREQ=DAILY;UNTIL=20260230", "does not exist"},
      {"FREQ=DAILY;UNTIL=20270229T000000Z", "does not exist"},
      {"FREQ=DAILY;UNTIL=20261301", "does not exist"},
      {"FREQ=DAILY;UNTIL=20261231T245959Z", "time of day"},
      {"FREQ=DAILY;UNTIL=20261231X235959Z", "UNTIL must be"},
      // INTERVAL and WKST
      {"FREQ=DAILY;INTERVAL=0", "INTERVAL must be"},
      {"FREQ=DAILY;INTERVAL=-2", "INTERVAL must be"},
      {"FREQ=DAILY;INTERVAL=32768", "INTERVAL must be"},
      {"FREQ=DAILY;INTERVAL=1.5", "INTERVAL must be"},
      {"FREQ=WEEKLY;WKST=XX", "WKST must be a weekday"},
      {"FREQ=WEEKLY;WKST=1MO", "WKST must be a weekday"},
      // value ranges
      {"FREQ=DAILY;BYSECOND=61", "BYSECOND values must be 0 to 60"},
      {"FREQ=DAILY;BYSECOND=-1", "BYSECOND values"},
      {"FREQ=DAILY;BYMINUTE=60", "BYMINUTE values must be 0 to 59"},
      {"FREQ=DAILY;BYHOUR=24", "BYHOUR values must be 0 to 23"},
      {"FREQ=DAILY;BYHOUR=+9", "BYHOUR values"},
      {"FREQ=DAILY;BYHOUR=9,", "BYHOUR values"},
      {"FREQ=DAILY;BYHOUR=,9", "BYHOUR values"},
      {"FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY values must be 1 to 31 or -31 to -1"},
      {"FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY values"},
      {"FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY values"},
      {"FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY values must be 1 to 366"},
      {"FREQ=YEARLY;BYYEARDAY=0", "BYYEARDAY values"},
      {"FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO values must be 1 to 53"},
      {"FREQ=YEARLY;BYWEEKNO=0", "BYWEEKNO values"},
      {"FREQ=YEARLY;BYMONTH=13", "BYMONTH values must be 1 to 12"},
      {"FREQ=YEARLY;BYMONTH=0", "BYMONTH values"},
      {"FREQ=YEARLY;BYMONTH=-1", "BYMONTH values"},
      {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "BYSETPOS values must be 1 to 366"},
      {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367", "BYSETPOS values"},
      {"FREQ=WEEKLY;BYDAY=XX", "BYDAY values must be a weekday"},
      {"FREQ=MONTHLY;BYDAY=0MO", "BYDAY values"},
      {"FREQ=YEARLY;BYDAY=54MO", "BYDAY values"},
      {"FREQ=YEARLY;BYDAY=-54MO", "BYDAY values"},
      {"FREQ=MONTHLY;BYDAY=1", "BYDAY values"},
      // combinations the RFC forbids
      {"FREQ=WEEKLY;BYDAY=1MO", "needs FREQ=MONTHLY or FREQ=YEARLY"},
      {"FREQ=DAILY;BYDAY=-1FR", "needs FREQ=MONTHLY or FREQ=YEARLY"},
      {"FREQ=HOURLY;BYDAY=2TU", "needs FREQ=MONTHLY or FREQ=YEARLY"},
      {"FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO", "not allowed with FREQ=YEARLY and BYWEEKNO"},
      {"FREQ=MONTHLY;BYDAY=6MO", "1 to 5 or -5 to -1"},
      {"FREQ=MONTHLY;BYDAY=-6MO", "1 to 5 or -5 to -1"},
      {"FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO is only allowed with FREQ=YEARLY"},
      {"FREQ=DAILY;BYWEEKNO=1", "BYWEEKNO is only allowed with FREQ=YEARLY"},
      {"FREQ=DAILY;BYYEARDAY=1", "BYYEARDAY is not allowed with FREQ=DAILY"},
      {"FREQ=WEEKLY;BYYEARDAY=1", "BYYEARDAY is not allowed with FREQ=WEEKLY"},
      {"FREQ=MONTHLY;BYYEARDAY=1", "BYYEARDAY is not allowed with FREQ=MONTHLY"},
      {"FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY is not allowed with FREQ=WEEKLY"},
      {"FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS is only allowed together"},
      {"FREQ=DAILY;COUNT=3;BYSETPOS=-1", "BYSETPOS is only allowed together"},
      // rules without any occurrence
      {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"},
      {"FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"},
      {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"},
      {"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"},  // 30 s in libical
      {"FREQ=SECONDLY;BYMONTH=4;BYMONTHDAY=31", "no occurrence"},
      {"FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31", "no occurrence"},
      {"FREQ=MONTHLY;BYMONTHDAY=-30;BYMONTH=2", "no occurrence"},
      {"FREQ=YEARLY;BYYEARDAY=1;BYMONTH=2", "no occurrence"},
      {"FREQ=YEARLY;BYWEEKNO=1;BYMONTH=6", "no occurrence"},
      {"FREQ=MONTHLY;BYDAY=1FR;BYMONTHDAY=13", "no occurrence"},
      {"FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2,3,4,5,6,7", "no occurrence"},
      {"FREQ=YEARLY;BYMONTH=2;BYDAY=-5SU;BYMONTHDAY=2", "no occurrence"},
      {"FREQ=DAILY;BYSECOND=60", "no occurrence"},  // no leap seconds on our clock
      {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "no occurrence"},
      {"FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3", "no occurrence"},
      {"FREQ=DAILY;BYHOUR=9,17;BYSETPOS=3", "no occurrence"},
      {"FREQ=HOURLY;BYMINUTE=0;BYSETPOS=2", "no occurrence"},
      {"FREQ=YEARLY;BYYEARDAY=1,2;BYSETPOS=-3", "no occurrence"},
      // what the recurrence engine cannot expand correctly or at a bounded cost
      {"FREQ=HOURLY;INTERVAL=48;BYHOUR=1", "BYHOUR together with FREQ=HOURLY and INTERVAL=48"},
      {"FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1", "BYMINUTE together with FREQ=MINUTELY"},
      {"FREQ=SECONDLY;INTERVAL=2;BYSECOND=1", "BYSECOND together with FREQ=SECONDLY"},
      {"FREQ=HOURLY;INTERVAL=5;BYDAY=MO", "BYDAY together with FREQ=HOURLY and INTERVAL=5"},
      {"FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10,11", "BYHOUR together with FREQ=MINUTELY"},
      {"FREQ=SECONDLY;INTERVAL=13;BYMINUTE=5", "BYMINUTE together with FREQ=SECONDLY"},
      {"FREQ=HOURLY;INTERVAL=2;BYMONTHDAY=1", "BYMONTHDAY together"},
      {"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=23;BYMINUTE=59;BYSECOND=59",
       "seconds between two instances"},
      {"FREQ=SECONDLY;BYMONTH=2", "coarser FREQ"},
      {"FREQ=SECONDLY;BYHOUR=9", "82801 seconds"},  // 09:59:59 to 09:00:00 the next day
      {"FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=29", "minutes between two instances"},
      {"FREQ=MINUTELY;BYMONTHDAY=1", "minutes between two instances"},
      {"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29", "hours between two instances"},
      {"FREQ=MINUTELY;COUNT=100001", "COUNT must be at most 100000 with FREQ=MINUTELY"},
      {"FREQ=SECONDLY;COUNT=999999999", "COUNT must be at most 100000"},
  };
  for (const auto& [rule, words] : cases) {
    const std::optional<std::string> why = rrule_error(rule);
    ASSERT_TRUE(why) << rule << " was accepted";
    EXPECT_NE(why->find(words), std::string::npos)
        << rule << ": '" << *why << "' does not say '" << words << "'";
  }
}

TEST(RruleError, RejectsThePrefixedForm) {
  EXPECT_NE(rrule_error("RRULE:FREQ=DAILY"), std::nullopt);
  EXPECT_NE(rrule_error("rrule:FREQ=DAILY"), std::nullopt);
}

TEST(RruleError, RejectsOverlongAndBinaryInput) {
  std::string long_rule = "FREQ=WEEKLY;BYDAY=MO";
  while (long_rule.size() <= 500) long_rule += ",MO";
  EXPECT_NE(rrule_error(long_rule), std::nullopt);
  EXPECT_NE(rrule_error(std::string("FREQ=DAILY\0;COUNT=2", 19)), std::nullopt);
  EXPECT_NE(rrule_error("FREQ=DAILY;\xc3\xa9"), std::nullopt);
}

TEST(IsKnownTimezone, KnownAndUnknownNames) {
  EXPECT_TRUE(is_known_timezone("UTC"));
  EXPECT_TRUE(is_known_timezone("Europe/Berlin"));
  EXPECT_TRUE(is_known_timezone("America/New_York"));
  EXPECT_TRUE(is_known_timezone("Asia/Kolkata"));
  EXPECT_FALSE(is_known_timezone(""));
  EXPECT_FALSE(is_known_timezone("Mars/Olympus_Mons"));
  EXPECT_FALSE(is_known_timezone("Europe/Berlin "));
  EXPECT_FALSE(is_known_timezone("../../../../etc/passwd"));
  EXPECT_FALSE(is_known_timezone("/usr/share/zoneinfo/Europe/Berlin"));
  // Files of the zone database that are not IANA zone names: the host's own zone, the
  // POSIX-rules and leap-second trees, and spellings with empty or dot segments.
  for (const char* name : {"localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC",
                           "Europe//Berlin", "Europe/Berlin/", "Europe/./Berlin"})
    EXPECT_FALSE(is_known_timezone(name)) << name;
}

TEST(IsKnownTimezone, SafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&ok, i] {
      ok[i] = is_known_timezone("Australia/Sydney") && is_known_timezone("Europe/Paris") &&
              !rrule_error("FREQ=DAILY");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(8, 1));
}

TEST(NextOccurrence, DailyInUtc) {
  const Millis start = at("2026-01-01T09:00:00Z");
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "UTC", start, start), at("2026-01-02T09:00:00Z"));
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "UTC", start, at("2026-01-10T12:00:00Z")),
            at("2026-01-11T09:00:00Z"));
  // "after" before dtstart: dtstart itself is the first occurrence.
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "UTC", start, start - 1), start);
}

TEST(NextOccurrence, MonthlyInBerlinKeepsWallClockAcrossDst) {
  // 09:00 in Berlin is 08:00Z in winter (CET) and 07:00Z in summer (CEST, from 29 March).
  const Millis start = at("2026-01-01T08:00:00Z");
  const char* rule = "FREQ=MONTHLY;BYMONTHDAY=1";
  EXPECT_EQ(next_occurrence(rule, "Europe/Berlin", start, start), at("2026-02-01T08:00:00Z"));
  EXPECT_EQ(next_occurrence(rule, "Europe/Berlin", start, at("2026-03-01T08:00:00Z")),
            at("2026-04-01T07:00:00Z"));
  EXPECT_EQ(next_occurrence(rule, "Europe/Berlin", start, at("2026-10-01T07:00:00Z")),
            at("2026-11-01T08:00:00Z"));
}

TEST(NextOccurrence, WeeklyOnWeekdaysInNewYork) {
  // Friday 2026-01-02 17:00 EST (22:00Z); next is Monday 2026-01-05 17:00 EST.
  const Millis start = at("2026-01-02T22:00:00Z");
  EXPECT_EQ(next_occurrence("FREQ=WEEKLY;BYDAY=MO,WE,FR", "America/New_York", start, start),
            at("2026-01-05T22:00:00Z"));
}

TEST(NextOccurrence, KeepsMilliseconds) {
  const Millis start = at("2026-01-01T09:00:00.250Z");
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "UTC", start, start), at("2026-01-02T09:00:00.250Z"));
}

TEST(NextOccurrence, EndsWithCountOrUntil) {
  const Millis start = at("2026-01-01T09:00:00Z");
  EXPECT_EQ(next_occurrence("FREQ=DAILY;COUNT=2", "UTC", start, start), at("2026-01-02T09:00:00Z"));
  EXPECT_EQ(next_occurrence("FREQ=DAILY;COUNT=2", "UTC", start, at("2026-01-02T09:00:00Z")),
            std::nullopt);
  EXPECT_EQ(next_occurrence("FREQ=DAILY;UNTIL=20260103T000000Z", "UTC", start,
                            at("2026-01-02T09:00:00Z")),
            std::nullopt);
}

// A rule without COUNT is expanded from shortly before `after`, not from DTSTART: the same
// instances as a walk from DTSTART, for rules of every period that skips ahead, in zones
// with and without daylight saving time (Lord Howe moves by 30 minutes), at instants on
// both sides of their changes.
TEST(NextOccurrence, SkippingAheadGivesTheInstancesOfAWalkFromDtstart) {
  const Millis dtstart = at("2026-01-01T00:00:00.125Z");
  const std::vector<const char*> rules = {
      "FREQ=MINUTELY;INTERVAL=7",
      "FREQ=HOURLY;INTERVAL=5",
      "FREQ=HOURLY;BYDAY=MO,WE;BYMINUTE=15,45",
      "FREQ=SECONDLY;INTERVAL=331",
      "FREQ=SECONDLY;BYSECOND=7,37",
      "FREQ=MINUTELY;BYHOUR=10;BYDAY=TU",
      "FREQ=DAILY;INTERVAL=3;BYHOUR=9,17",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR;WKST=SU",
      "FREQ=WEEKLY;INTERVAL=3",
      "FREQ=DAILY;UNTIL=20261001T000000Z",
  };
  const std::vector<Millis> afters = {
      at("2026-01-01T00:00:00Z"), at("2026-03-29T00:59:59Z"), at("2026-03-29T01:00:00Z"),
      at("2026-04-05T15:30:00Z"), at("2026-07-15T12:34:56Z"), at("2026-10-25T00:30:00Z"),
      at("2026-10-25T01:30:00Z"), at("2026-11-01T06:00:00Z"), at("2026-12-31T23:59:59Z")};
  for (const char* zone : {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}) {
    for (const char* rule : rules) {
      // The walk: every instance from DTSTART on (after < dtstart never skips).
      const std::vector<Millis> walk = occurrences(rule, zone, dtstart, dtstart - 1, 100'000);
      ASSERT_FALSE(walk.empty()) << rule << " in " << zone;
      for (const Millis after : afters) {
        if (after >= walk.back()) continue;  // past what the walk covered
        const Millis expected = *std::upper_bound(walk.begin(), walk.end(), after);
        EXPECT_EQ(next_occurrence(rule, zone, dtstart, after), expected)
            << rule << " in " << zone << " after " << format_rfc3339(after);
        EXPECT_EQ(occurrences(rule, zone, dtstart, after, 3),
                  std::vector<Millis>(
                      std::upper_bound(walk.begin(), walk.end(), after),
                      std::min(walk.end(), std::upper_bound(walk.begin(), walk.end(), after) + 3)))
            << rule << " in " << zone << " after " << format_rfc3339(after);
      }
    }
  }
}

// A MINUTELY task started two years ago: its next instance is the next minute, not the end
// of the series (stepping a million minutes from DTSTART gave up and ended it).
TEST(NextOccurrence, AnOldSeriesOfShortPeriodsGoesOn) {
  const Millis start = at("2025-01-01T00:00:00Z");
  EXPECT_EQ(next_occurrence("FREQ=MINUTELY", "UTC", start, at("2026-12-02T17:00:30Z")),
            at("2026-12-02T17:01:00Z"));
  EXPECT_EQ(next_occurrence("FREQ=SECONDLY;INTERVAL=7", "UTC", start, at("2026-12-02T17:00:30Z")),
            at("2026-12-02T17:00:36Z"));  // 60 541 230 s after DTSTART; 7 divides 60 541 236
  EXPECT_EQ(next_occurrence("FREQ=HOURLY", "America/New_York", at("1970-01-01T00:00:00Z"),
                            at("2026-12-02T17:30:00Z")),
            at("2026-12-02T18:00:00Z"));
}

// RFC 5545 §3.3.10: an instance whose wall-clock time does not exist, or exists twice, is
// read as §3.3.5 reads a DATE-TIME: with the offset before the gap (02:30 on the night
// Berlin goes to summer time is 03:30 CEST), or as the first of the two.
TEST(NextOccurrence, WallClockTimesInTheGapOrTheOverlapAreReadAsRfc5545Says) {
  const Millis gap_start = at("2027-03-27T01:30:00Z");  // 02:30 CET
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "Europe/Berlin", gap_start, gap_start),
            at("2027-03-28T01:30:00Z"));  // 02:30 does not exist: 03:30 CEST
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "Europe/Berlin", gap_start, at("2027-03-28T01:30:00Z")),
            at("2027-03-29T00:30:00Z"));                    // 02:30 CEST
  const Millis overlap_start = at("2027-10-30T00:30:00Z");  // 02:30 CEST
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "Europe/Berlin", overlap_start, overlap_start),
            at("2027-10-31T00:30:00Z"));  // the first 02:30 (CEST), not the second (CET)
  EXPECT_EQ(
      next_occurrence("FREQ=DAILY", "Europe/Berlin", overlap_start, at("2027-10-31T00:30:00Z")),
      at("2027-11-01T01:30:00Z"));  // 02:30 CET
}

TEST(NextOccurrence, InvalidInputHasNoOccurrence) {
  const Millis start = at("2026-01-01T09:00:00Z");
  EXPECT_EQ(next_occurrence("FREQ=SOMETIMES", "UTC", start, start), std::nullopt);
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "Nowhere/Else", start, start), std::nullopt);
}

}  // namespace
}  // namespace todo

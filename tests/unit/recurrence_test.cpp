#include "tasks/recurrence.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"

namespace todo {
namespace {

Millis at(const char* rfc3339) {
  return *parse_rfc3339(rfc3339);
}

TEST(RruleError, AcceptsValidRules) {
  for (const char* rule : {"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYMONTHDAY=1",
                           "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
                           "FREQ=DAILY;INTERVAL=3;COUNT=10", "FREQ=WEEKLY;UNTIL=20261231T235959Z",
                           "FREQ=HOURLY;INTERVAL=6"}) {
    EXPECT_EQ(rrule_error(rule), std::nullopt) << rule;
  }
}

TEST(RruleError, RejectsInvalidRules) {
  for (const char* rule :
       {"", "FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX", "BYDAY=MO", "FREQ=DAILY;COUNT=abc",
        "FREQ=DAILY;INTERVAL=0", "FREQ=MONTHLY;BYMONTHDAY=40", "FREQ=YEARLY;BYMONTH=13",
        "FREQ=DAILY;FOO=BAR", "FREQ=DAILY;UNTIL=garbage",
        "FREQ=DAILY;COUNT=5;UNTIL=20260101T000000Z", "FREQ=DAILY ", "hello"}) {
    EXPECT_NE(rrule_error(rule), std::nullopt) << rule;
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

TEST(NextOccurrence, InvalidInputHasNoOccurrence) {
  const Millis start = at("2026-01-01T09:00:00Z");
  EXPECT_EQ(next_occurrence("FREQ=SOMETIMES", "UTC", start, start), std::nullopt);
  EXPECT_EQ(next_occurrence("FREQ=DAILY", "Nowhere/Else", start, start), std::nullopt);
}

}  // namespace
}  // namespace todo

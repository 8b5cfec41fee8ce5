// Next dates of recurring series (recurrence/series.hpp): the table of issue 10, each case
// with its right next date, in UTC.
#include <gtest/gtest.h>

#include "core/time.hpp"
#include "recurrence/series.hpp"

namespace todo::recurrence {
namespace {

Millis at(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t) << text;
  return t.value_or(0);
}

TaskFields task(const char* rule, const char* timezone, std::optional<Millis> due,
                std::optional<Millis> remind = std::nullopt) {
  TaskFields f;
  f.title = "t";
  f.recurrence = rule;
  f.timezone = timezone;
  f.due_at = due;
  f.remind_at = remind;
  f.completed = true;
  return f;
}

// The due date after completing the occurrence due at `due` at `completed` (on time when
// absent), in the series starting at `dtstart`.
std::optional<Millis> next_due(const char* rule, const char* tz, const char* dtstart,
                               const char* due, const char* completed = nullptr) {
  auto dates = next_dates(task(rule, tz, at(due)), at(completed ? completed : due), at(dtstart));
  if (!dates) return std::nullopt;
  return dates->due_at;
}

struct Case {
  const char* name;
  const char* rule;
  const char* tz;
  const char* dtstart;
  const char* due;        // the completed occurrence's due date
  const char* completed;  // when it was completed (nullptr: at its due date)
  const char* expected;   // the next due date (nullptr: the series ended)
};

const Case kCases[] = {
    // 09:00 in Berlin: 08:00Z in winter (CET), 07:00Z in summer (CEST from 29 March 2026,
    // CET again from 25 October 2026, the last Sundays of the months).
    {"daily Berlin into summer time", "FREQ=DAILY", "Europe/Berlin", "2026-03-20T08:00:00Z",
     "2026-03-28T08:00:00Z", nullptr, "2026-03-29T07:00:00Z"},
    {"daily Berlin the day after the change", "FREQ=DAILY", "Europe/Berlin", "2026-03-20T08:00:00Z",
     "2026-03-29T07:00:00Z", nullptr, "2026-03-30T07:00:00Z"},
    {"daily Berlin into winter time", "FREQ=DAILY", "Europe/Berlin", "2026-03-20T08:00:00Z",
     "2026-10-24T07:00:00Z", nullptr, "2026-10-25T08:00:00Z"},
    {"daily Berlin after winter time", "FREQ=DAILY", "Europe/Berlin", "2026-03-20T08:00:00Z",
     "2026-10-25T08:00:00Z", nullptr, "2026-10-26T08:00:00Z"},
    // Monday 2 March 2026 09:00 EST = 14:00Z; US summer time from 8 March (09:00 EDT = 13:00Z).
    {"weekly MO,WE,FR New York Monday -> Wednesday", "FREQ=WEEKLY;BYDAY=MO,WE,FR",
     "America/New_York", "2026-03-02T14:00:00Z", "2026-03-02T14:00:00Z", nullptr,
     "2026-03-04T14:00:00Z"},
    {"weekly MO,WE,FR New York Friday -> Monday across DST", "FREQ=WEEKLY;BYDAY=MO,WE,FR",
     "America/New_York", "2026-03-02T14:00:00Z", "2026-03-06T14:00:00Z", nullptr,
     "2026-03-09T13:00:00Z"},
    {"monthly on the 31st skips February", "FREQ=MONTHLY;BYMONTHDAY=31", "UTC",
     "2026-01-31T10:00:00Z", "2026-01-31T10:00:00Z", nullptr, "2026-03-31T10:00:00Z"},
    {"monthly on the 31st skips April", "FREQ=MONTHLY;BYMONTHDAY=31", "UTC", "2026-01-31T10:00:00Z",
     "2026-03-31T10:00:00Z", nullptr, "2026-05-31T10:00:00Z"},
    {"yearly on 29 February", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "UTC", "2028-02-29T12:00:00Z",
     "2028-02-29T12:00:00Z", nullptr, "2032-02-29T12:00:00Z"},
    {"every second week", "FREQ=WEEKLY;INTERVAL=2", "UTC", "2026-01-06T09:00:00Z",
     "2026-01-06T09:00:00Z", nullptr, "2026-01-20T09:00:00Z"},
    {"every second week, late: stays on DTSTART's grid", "FREQ=WEEKLY;INTERVAL=2", "UTC",
     "2026-01-06T09:00:00Z", "2026-01-20T09:00:00Z", "2026-01-25T12:00:00Z",
     "2026-02-03T09:00:00Z"},
    // Last weekday of the month: Sat 31 Jan -> Fri 30 Jan; Sat 28 Feb -> Fri 27 Feb; Tue 31 Mar.
    {"last weekday of the month (February)", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC",
     "2026-01-30T17:00:00Z", "2026-01-30T17:00:00Z", nullptr, "2026-02-27T17:00:00Z"},
    {"last weekday of the month (March)", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "UTC",
     "2026-01-30T17:00:00Z", "2026-02-27T17:00:00Z", nullptr, "2026-03-31T17:00:00Z"},
    {"COUNT=3, first completion", "FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00Z",
     "2026-01-01T09:00:00Z", nullptr, "2026-01-02T09:00:00Z"},
    {"COUNT=3, second completion", "FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00Z",
     "2026-01-02T09:00:00Z", nullptr, "2026-01-03T09:00:00Z"},
    {"COUNT=3, third completion creates none", "FREQ=DAILY;COUNT=3", "UTC", "2026-01-01T09:00:00Z",
     "2026-01-03T09:00:00Z", nullptr, nullptr},
    {"UNTIL includes its own instant", "FREQ=DAILY;UNTIL=20260103T090000Z", "UTC",
     "2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", nullptr, "2026-01-03T09:00:00Z"},
    {"UNTIL reached: none", "FREQ=DAILY;UNTIL=20260103T090000Z", "UTC", "2026-01-01T09:00:00Z",
     "2026-01-03T09:00:00Z", nullptr, nullptr},
    {"late completion skips the missed instances", "FREQ=DAILY", "UTC", "2026-01-05T09:00:00Z",
     "2026-01-05T09:00:00Z", "2026-01-07T12:00:00Z", "2026-01-08T09:00:00Z"},
    {"Monday's task finished on Wednesday brings next Monday", "FREQ=WEEKLY;BYDAY=MO", "UTC",
     "2026-01-05T09:00:00Z", "2026-01-05T09:00:00Z", "2026-01-07T10:00:00Z",
     "2026-01-12T09:00:00Z"},
    {"early completion: the instance after the due date", "FREQ=DAILY", "UTC",
     "2026-01-01T09:00:00Z", "2026-01-10T09:00:00Z", "2026-01-08T09:00:00Z",
     "2026-01-11T09:00:00Z"},
    {"completed at the exact instant of the next: strictly after", "FREQ=DAILY", "UTC",
     "2026-01-01T09:00:00Z", "2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z",
     "2026-01-03T09:00:00Z"},
};

class SeriesTable : public testing::TestWithParam<Case> {};

TEST_P(SeriesTable, NextDueDate) {
  const Case& c = GetParam();
  auto got = next_due(c.rule, c.tz, c.dtstart, c.due, c.completed);
  if (c.expected == nullptr)
    EXPECT_EQ(got, std::nullopt) << format_rfc3339(got.value_or(0));
  else
    EXPECT_EQ(got, at(c.expected))
        << (got ? format_rfc3339(*got) : "none") << " for " << c.expected;
}

INSTANTIATE_TEST_SUITE_P(Issue10, SeriesTable, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (const char* p = info.param.name; *p; ++p)
                             name += std::isalnum((unsigned char)*p) ? *p : '_';
                           return name;
                         });

TEST(NextDates, RemindAtKeepsItsOffsetFromTheDueDate) {
  auto dates = next_dates(
      task("FREQ=DAILY", "Europe/Berlin", at("2026-03-28T08:00:00Z"), at("2026-03-28T07:30:00Z")),
      at("2026-03-28T08:05:00Z"), at("2026-03-28T08:00:00Z"));
  ASSERT_TRUE(dates);
  EXPECT_EQ(dates->due_at, at("2026-03-29T07:00:00Z"));
  EXPECT_EQ(dates->remind_at, at("2026-03-29T06:30:00Z"));
  auto without = next_dates(task("FREQ=DAILY", "UTC", at("2026-01-01T09:00:00Z")),
                            at("2026-01-01T09:00:00Z"), at("2026-01-01T09:00:00Z"));
  ASSERT_TRUE(without);
  EXPECT_EQ(without->remind_at, std::nullopt);
}

TEST(NextDates, WithoutDueDateCountsFromTheCompletion) {
  const Millis done = at("2026-01-01T15:20:00Z");
  TaskFields f = task("FREQ=DAILY", "UTC", std::nullopt);
  EXPECT_EQ(series_start(f, done), done);
  auto dates = next_dates(f, done, series_start(f, done));
  ASSERT_TRUE(dates);
  EXPECT_EQ(dates->due_at, at("2026-01-02T15:20:00Z"));
}

TEST(NextDates, SeriesStartIsTheFirstDueDate) {
  TaskFields f = task("FREQ=DAILY", "UTC", at("2026-01-01T09:00:00Z"));
  EXPECT_EQ(series_start(f, at("2026-01-05T00:00:00Z")), at("2026-01-01T09:00:00Z"));
}

TEST(NextDates, NoRuleOrUnusableRuleOrZoneGivesNoneWithoutThrowing) {
  TaskFields none = task("FREQ=DAILY", "UTC", at("2026-01-01T09:00:00Z"));
  none.recurrence.reset();
  EXPECT_EQ(next_dates(none, at("2026-01-01T09:00:00Z"), at("2026-01-01T09:00:00Z")), std::nullopt);
  for (const char* rule : {"FREQ=SOMETIMES", "", "FREQ=DAILY;COUNT=2;UNTIL=20270101",
                           "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "RRULE:FREQ=DAILY"}) {
    EXPECT_EQ(next_dates(task(rule, "UTC", at("2026-01-01T09:00:00Z")), at("2026-01-01T09:00:00Z"),
                         at("2026-01-01T09:00:00Z")),
              std::nullopt)
        << rule;
  }
  for (const char* tz : {"Mars/Olympus_Mons", "", "../../etc/passwd"}) {
    EXPECT_EQ(next_dates(task("FREQ=DAILY", tz, at("2026-01-01T09:00:00Z")),
                         at("2026-01-01T09:00:00Z"), at("2026-01-01T09:00:00Z")),
              std::nullopt)
        << tz;
  }
}

}  // namespace
}  // namespace todo::recurrence

#include "core/time.hpp"

#include <gtest/gtest.h>

namespace todo {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kDay = 86'400 * kSecond;

TEST(ParseRfc3339, UtcWithZ) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00Z"), 1'796'115'600'000);
  EXPECT_EQ(parse_rfc3339("2000-03-01T00:00:00Z"), 951'868'800'000);
}

TEST(ParseRfc3339, LowercaseSeparators) {
  EXPECT_EQ(parse_rfc3339("2026-12-01t09:00:00z"), parse_rfc3339("2026-12-01T09:00:00Z"));
}

TEST(ParseRfc3339, Offsets) {
  EXPECT_EQ(parse_rfc3339("2026-12-01T11:00:00+02:00"), parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-12-01T04:30:00-04:30"), parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00+00:00"), parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00-00:00"), parse_rfc3339("2026-12-01T09:00:00Z"));
  // An offset can move the instant across a day boundary.
  EXPECT_EQ(parse_rfc3339("2026-01-01T00:30:00+01:00"), parse_rfc3339("2025-12-31T23:30:00Z"));
}

TEST(ParseRfc3339, FractionalSecondsOfAnyLengthTruncateToMillis) {
  const Millis base = *parse_rfc3339("2026-12-01T09:00:00Z");
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00.1Z"), base + 100);
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00.12Z"), base + 120);
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00.123Z"), base + 123);
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00.123999999Z"), base + 123);
  EXPECT_EQ(parse_rfc3339("2026-12-01T09:00:00.000000000001Z"), base);
  EXPECT_EQ(parse_rfc3339("2026-12-01T11:00:00.5+02:00"), base + 500);
}

TEST(ParseRfc3339, LeapYears) {
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2000-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));
  EXPECT_EQ(*parse_rfc3339("2024-03-01T00:00:00Z") - *parse_rfc3339("2024-02-28T00:00:00Z"),
            2 * kDay);
}

TEST(ParseRfc3339, DatesBeforeTheEpoch) {
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -kSecond);
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59.999Z"), -1);
}

TEST(ParseRfc3339, RejectsInvalidDatesAndTimes) {
  for (const char* bad : {
           "2026-02-30T00:00:00Z",  // Feb 30
           "2026-04-31T00:00:00Z",  // April has 30 days
           "2026-13-01T00:00:00Z",  // month 13
           "2026-00-01T00:00:00Z",  // month 0
           "2026-01-00T00:00:00Z",  // day 0
           "2026-01-32T00:00:00Z",  // day 32
           "2026-01-01T24:00:00Z",  // hour 24
           "2026-01-01T23:60:00Z",  // minute 60
           "2026-01-01T23:59:60Z",  // leap second
           "2026-01-01T00:00:00+24:00",
           "2026-01-01T00:00:00+01:60",
       }) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(ParseRfc3339, RejectsMalformedText) {
  for (const char* bad : {
           "",
           "2026-12-01",                // date only
           "2026-12-01T09:00:00",       // missing offset
           "2026-12-01T09:00Z",         // missing seconds
           "2026-12-01 09:00:00Z",      // space separator
           "2026-12-01T09:00:00.Z",     // empty fraction
           "2026-12-01T09:00:00+0200",  // offset without colon
           "2026-12-01T09:00:00+02",    // offset without minutes
           "2026-12-01T09:00:00ZZ",     // trailing garbage
           "2026-12-01T09:00:00Z ",     // trailing space
           " 2026-12-01T09:00:00Z",     // leading space
           "26-12-01T09:00:00Z",        // two-digit year
           "2026-1-01T09:00:00Z",       // one-digit month
           "+2026-12-01T09:00:00Z",     // signed year
           "2026-12-01T09:00:00UTC",    // named zone
           "2026-12-01T9:00:00Z",       // one-digit hour
           "2026/12/01T09:00:00Z",      // wrong date separator
           "abcd-ef-ghTij:kl:mnZ",
       }) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(FormatRfc3339, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'796'115'600'000), "2026-12-01T09:00:00Z");
}

TEST(FormatRfc3339, MillisecondsAreThreeDigits) {
  EXPECT_EQ(format_rfc3339(1'796'115'600'007), "2026-12-01T09:00:00.007Z");
  EXPECT_EQ(format_rfc3339(1'796'115'600'120), "2026-12-01T09:00:00.120Z");
}

TEST(FormatRfc3339, BeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(-kDay), "1969-12-31T00:00:00Z");
}

TEST(FormatRfc3339, RoundTripsEveryDayOfALeapYear) {
  for (Millis t = *parse_rfc3339("2024-01-01T12:34:56.789Z");
       t < *parse_rfc3339("2025-01-01T00:00:00Z"); t += kDay) {
    const std::string text = format_rfc3339(t);
    EXPECT_EQ(parse_rfc3339(text), t) << text;
  }
}

TEST(FormatRfc3339, NormalisesOffsetsToUtc) {
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-12-01T11:00:00.250+02:00")),
            "2026-12-01T09:00:00.250Z");
}

TEST(NowMillis, IsCurrent) {
  const Millis now = now_millis();
  EXPECT_GT(now, *parse_rfc3339("2024-01-01T00:00:00Z"));
  EXPECT_LT(now, *parse_rfc3339("2100-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace todo

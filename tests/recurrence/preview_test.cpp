// GET /api/{user_id}/recurrence/preview: its query and its dates (recurrence/preview.hpp).
#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

#include "recurrence/preview.hpp"

namespace todo::recurrence {
namespace {

Result<PreviewQuery> parse(const char* query) {
  const std::string target = std::string("/p?") + query;  // the views below point into it
  auto url = boost::urls::parse_relative_ref(target);
  EXPECT_TRUE(url) << query;
  return parse_preview_query(url->params());
}

Millis at(const char* text) {
  return parse_rfc3339(text).value_or(0);
}

std::vector<std::string> fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.errors) out.push_back(f.field);
  return out;
}

TEST(PreviewQuery, ReadsEveryParameter) {
  auto q = parse(
      "rule=FREQ%3DWEEKLY%3BBYDAY%3DMO&timezone=Europe/Berlin"
      "&dtstart=2026-12-07T08:00:00Z&count=5");
  ASSERT_TRUE(q) << q.error().detail;
  EXPECT_EQ(q->rule, "FREQ=WEEKLY;BYDAY=MO");
  EXPECT_EQ(q->timezone, "Europe/Berlin");
  EXPECT_EQ(q->dtstart, at("2026-12-07T08:00:00Z"));
  EXPECT_EQ(q->count, 5);
  auto defaults = parse("rule=FREQ%3DDAILY");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->timezone, "UTC");
  EXPECT_EQ(defaults->dtstart, std::nullopt);
  EXPECT_EQ(defaults->count, 3);
}

TEST(PreviewQuery, InvalidRuleOrZoneIs422NamingTheParameter) {
  auto q = parse("rule=FREQ%3DSOMETIMES&timezone=Mars/Base");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().kind, ErrorKind::validation);
  EXPECT_EQ(fields(q.error()), (std::vector<std::string>{"rule", "timezone"}));
  auto missing = parse("timezone=UTC");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::validation);
  EXPECT_EQ(fields(missing.error()), std::vector<std::string>{"rule"});
  auto no_occurrence = parse("rule=FREQ%3DYEARLY%3BBYMONTH%3D2%3BBYMONTHDAY%3D30");
  ASSERT_FALSE(no_occurrence);
  EXPECT_EQ(fields(no_occurrence.error()), std::vector<std::string>{"rule"});
}

TEST(PreviewQuery, MalformedParametersAre400) {
  for (const char* bad :
       {"rule=FREQ%3DDAILY&count=0", "rule=FREQ%3DDAILY&count=11", "rule=FREQ%3DDAILY&count=3x",
        "rule=FREQ%3DDAILY&dtstart=tomorrow", "rule=FREQ%3DDAILY&color=red"}) {
    auto q = parse(bad);
    ASSERT_FALSE(q) << bad;
    EXPECT_EQ(q.error().kind, ErrorKind::bad_request) << bad;
    EXPECT_EQ(q.error().errors.size(), 1u) << bad;
  }
}

TEST(PreviewDates, FirstInstancesFromDtstartInTheZone) {
  PreviewQuery q{"FREQ=DAILY", "Europe/Berlin", std::nullopt, 3};
  EXPECT_EQ(preview_dates(q, at("2026-03-28T08:00:00Z")),
            (std::vector<Millis>{at("2026-03-28T08:00:00Z"), at("2026-03-29T07:00:00Z"),
                                 at("2026-03-30T07:00:00Z")}));
  // DTSTART that the rule does not yield is not an instance (RFC 5545 leaves it undefined;
  // libical and we skip it).
  PreviewQuery mondays{"FREQ=WEEKLY;BYDAY=MO", "UTC", std::nullopt, 2};
  EXPECT_EQ(preview_dates(mondays, at("2026-12-01T09:00:00Z")),
            (std::vector<Millis>{at("2026-12-07T09:00:00Z"), at("2026-12-14T09:00:00Z")}));
}

TEST(PreviewDates, FewerWhenTheSeriesEnds) {
  PreviewQuery q{"FREQ=DAILY;COUNT=2", "UTC", std::nullopt, 5};
  EXPECT_EQ(preview_dates(q, at("2026-01-01T09:00:00Z")),
            (std::vector<Millis>{at("2026-01-01T09:00:00Z"), at("2026-01-02T09:00:00Z")}));
}

}  // namespace
}  // namespace todo::recurrence

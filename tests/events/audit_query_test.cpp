#include "audit/audit_query.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>

#include "core/time.hpp"

namespace todo::audit {
namespace {

Result<storage::AuditQuery> parse(const char* query) {
  std::string target = std::string("/x?") + query;  // the url_view points into it
  auto url = boost::urls::parse_origin_form(target);
  return parse_audit_query(url->params());
}

std::string first_field(const Result<storage::AuditQuery>& r) {
  return r.ok() || r.error().errors.empty() ? "" : r.error().errors.front().field;
}

TEST(AuditQuery, ParsesEveryParameter) {
  auto q = parse(
      "event_type=created&event_type=deleted&task_id=7&from=2026-01-01T00:00:00Z"
      "&to=2026-02-01T00:00:00%2B01:00&limit=20");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->event_types, (std::vector<std::string>{"created", "deleted"}));
  EXPECT_EQ(q->task_id, 7);
  EXPECT_EQ(q->from, parse_rfc3339("2026-01-01T00:00:00Z"));
  EXPECT_EQ(q->to, parse_rfc3339("2026-01-31T23:00:00Z"));
  EXPECT_EQ(q->limit, 20);
  EXPECT_FALSE(q->before_id);
}

TEST(AuditQuery, DefaultsToFiftyNewestOfEveryType) {
  auto q = parse("");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limit, 50);
  EXPECT_TRUE(q->event_types.empty());
}

TEST(AuditQuery, NamesEachBadParameter) {
  EXPECT_EQ(first_field(parse("event_type=exploded")), "event_type");
  EXPECT_EQ(first_field(parse("task_id=abc")), "task_id");
  EXPECT_EQ(first_field(parse("task_id=-1")), "task_id");
  EXPECT_EQ(first_field(parse("from=yesterday")), "from");
  EXPECT_EQ(first_field(parse("to=2026-02-30T00:00:00Z")), "to");
  EXPECT_EQ(first_field(parse("limit=0")), "limit");
  EXPECT_EQ(first_field(parse("limit=201")), "limit");
  EXPECT_EQ(first_field(parse("cursor=garbage")), "cursor");
  EXPECT_EQ(first_field(parse("colour=red")), "colour");
  EXPECT_EQ(parse("limit=0&task_id=x").error().errors.size(), 2u);
}

TEST(AuditQuery, CursorsRoundTripAndRejectTampering) {
  auto c = encode_audit_cursor(1234);
  EXPECT_EQ(decode_audit_cursor(c), 1234);
  auto q = parse(("cursor=" + c).c_str());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->before_id, 1234);
  EXPECT_FALSE(decode_audit_cursor(c + "A"));
  EXPECT_FALSE(decode_audit_cursor("YXVkaXQ6LTE"));  // "audit:-1"
  EXPECT_FALSE(decode_audit_cursor(""));
}

}  // namespace
}  // namespace todo::audit

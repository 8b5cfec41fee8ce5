// Conditional requests (http/conditional.hpp): entity-tag lists, HTTP-dates and the
// evaluation order of RFC 9110 §13.2.2.
#include "http/conditional.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace todo::http {
namespace {

const std::int64_t kNow = 1'769'767'200;  // 2026-01-30T10:00:00Z

TEST(EntityTags, ParsesStarAndLists) {
  auto star = parse_entity_tags(" * ");
  ASSERT_TRUE(star);
  EXPECT_TRUE(star->any);
  struct Case {
    const char* value;
    std::vector<std::pair<std::string, bool>> tags;  // opaque, weak
  };
  for (const Case& c : std::vector<Case>{
           {R"("1")", {{R"("1")", false}}},
           {R"(W/"1")", {{R"("1")", true}}},
           {R"("1", "2")", {{R"("1")", false}, {R"("2")", false}}},
           {R"("1",W/"2" ,  "x-y")", {{R"("1")", false}, {R"("2")", true}, {R"("x-y")", false}}},
           {R"(, "1",, "2" ,)", {{R"("1")", false}, {R"("2")", false}}},  // empty elements
           {R"("")", {{R"("")", false}}},
           {"\"caf\xc3\xa9\"", {{"\"caf\xc3\xa9\"", false}}},  // obs-text
       }) {
    auto parsed = parse_entity_tags(c.value);
    ASSERT_TRUE(parsed) << c.value;
    EXPECT_FALSE(parsed->any);
    ASSERT_EQ(parsed->tags.size(), c.tags.size()) << c.value;
    for (std::size_t i = 0; i < c.tags.size(); ++i) {
      EXPECT_EQ(parsed->tags[i].opaque, c.tags[i].first) << c.value;
      EXPECT_EQ(parsed->tags[i].weak, c.tags[i].second) << c.value;
    }
  }
}

TEST(EntityTags, RefusesMalformedValues) {
  for (const char* bad :
       {"", "  ", ",", "2", "abc", "W/2", "w/\"2\"", "W/", "\"2", "2\"", "\"a\"b\"", "\"a b\"",
        "\"a\" \"b\"", "\"1\", *", "*, \"1\"", "**", "\"1\";q=1", "\"\x01\""}) {
    EXPECT_FALSE(parse_entity_tags(bad)) << bad;
  }
}

TEST(EntityTags, StrongAndWeakComparison) {
  // RFC 9110 §8.8.3.2's table.
  const EntityTag w1{"\"1\"", true}, w2{"\"2\"", true}, s1{"\"1\"", false}, s2{"\"2\"", false};
  EXPECT_FALSE(strong_match(w1, w1));
  EXPECT_TRUE(weak_match(w1, w1));
  EXPECT_FALSE(strong_match(w1, w2));
  EXPECT_FALSE(weak_match(w1, w2));
  EXPECT_FALSE(strong_match(w1, s1));
  EXPECT_TRUE(weak_match(w1, s1));
  EXPECT_TRUE(strong_match(s1, s1));
  EXPECT_TRUE(weak_match(s1, s1));
  EXPECT_FALSE(strong_match(s1, s2));
}

TEST(HttpDate, ParsesAllThreeFormats) {
  const std::int64_t t = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110 §5.6.7)
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", kNow), t);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow), t);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994", kNow), t);
  EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT", kNow), 1709251199);
  EXPECT_EQ(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date(format_http_date(kNow), kNow), kNow);
}

TEST(HttpDate, TwoDigitYearsMoreThan50YearsAheadAreThePast) {
  // In 2026: "76" is 2076 (50 years ahead, kept); "77" would be 2077 -> 1977.
  EXPECT_EQ(parse_http_date("Wednesday, 01-Jan-76 00:00:00 GMT", kNow), 3345062400);
  EXPECT_EQ(parse_http_date("Saturday, 01-Jan-77 00:00:00 GMT", kNow), 220924800);
  EXPECT_EQ(parse_http_date("Friday, 01-Jan-99 00:00:00 GMT", kNow), 915148800);
}

TEST(HttpDate, RefusesWhatIsNotAnHttpDate) {
  for (const char* bad : {"", "yesterday", "2026-01-30T10:00:00Z", "1769767200",
                          "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT junk"}) {
    EXPECT_EQ(parse_http_date(bad, kNow), std::nullopt) << bad;
  }
}

Preconditions with(std::function<void(Preconditions&)> f, bool get = false) {
  Preconditions p;
  p.get_or_head = get;
  f(p);
  return p;
}

EntityTagCondition tags(const char* value) {
  return *parse_entity_tags(value);
}

TEST(Evaluate, EveryStepInOrder) {
  const std::string etag = "\"3\"";
  const std::int64_t modified = 1000;
  struct Case {
    const char* name;
    Preconditions p;
    Verdict verdict;
    const char* header;
  };
  const std::vector<Case> cases = {
      {"none", {}, Verdict::proceed, nullptr},
      // If-Match: strong comparison, lists, "*"
      {"If-Match matches", with([](auto& p) { p.if_match = tags("\"3\""); }), Verdict::proceed},
      {"If-Match in a list", with([](auto& p) { p.if_match = tags("\"1\", \"3\""); }),
       Verdict::proceed},
      {"If-Match *", with([](auto& p) { p.if_match = tags("*"); }), Verdict::proceed},
      {"If-Match other", with([](auto& p) { p.if_match = tags("\"2\""); }), Verdict::failed,
       "If-Match"},
      {"If-Match weak never matches", with([](auto& p) { p.if_match = tags("W/\"3\""); }),
       Verdict::failed, "If-Match"},
      {"If-Match fails on GET too", with([](auto& p) { p.if_match = tags("\"2\""); }, true),
       Verdict::failed, "If-Match"},
      // If-Unmodified-Since, only without If-Match
      {"If-Unmodified-Since at the time", with([](auto& p) { p.if_unmodified_since = 1000; }),
       Verdict::proceed},
      {"If-Unmodified-Since before", with([](auto& p) { p.if_unmodified_since = 999; }),
       Verdict::failed, "If-Unmodified-Since"},
      {"If-Unmodified-Since ignored beside If-Match", with([](auto& p) {
         p.if_match = tags("\"3\"");
         p.if_unmodified_since = 1;
       }),
       Verdict::proceed},
      // If-None-Match: weak comparison; 304 for GET/HEAD, else 412
      {"If-None-Match other", with([](auto& p) { p.if_none_match = tags("\"2\""); }),
       Verdict::proceed},
      {"If-None-Match match, write", with([](auto& p) { p.if_none_match = tags("\"3\""); }),
       Verdict::failed, "If-None-Match"},
      {"If-None-Match weak match, write", with([](auto& p) { p.if_none_match = tags("W/\"3\""); }),
       Verdict::failed, "If-None-Match"},
      {"If-None-Match *, write", with([](auto& p) { p.if_none_match = tags("*"); }),
       Verdict::failed, "If-None-Match"},
      {"If-None-Match match, GET", with([](auto& p) { p.if_none_match = tags("W/\"3\""); }, true),
       Verdict::not_modified, "If-None-Match"},
      {"If-None-Match * on GET", with([](auto& p) { p.if_none_match = tags("*"); }, true),
       Verdict::not_modified, "If-None-Match"},
      // If-Modified-Since: GET/HEAD only, only without If-None-Match
      {"If-Modified-Since at the time", with([](auto& p) { p.if_modified_since = 1000; }, true),
       Verdict::not_modified, "If-Modified-Since"},
      {"If-Modified-Since before", with([](auto& p) { p.if_modified_since = 999; }, true),
       Verdict::proceed},
      {"If-Modified-Since on a write", with([](auto& p) { p.if_modified_since = 1000; }),
       Verdict::proceed},
      {"If-Modified-Since ignored beside If-None-Match",
       with(
           [](auto& p) {
             p.if_none_match = tags("\"2\"");
             p.if_modified_since = 1000;
           },
           true),
       Verdict::proceed},
      // step order: a failed If-Match wins over a 304
      {"If-Match fails before If-None-Match",
       with(
           [](auto& p) {
             p.if_match = tags("\"2\"");
             p.if_none_match = tags("\"3\"");
           },
           true),
       Verdict::failed, "If-Match"},
      {"If-Unmodified-Since fails before If-Modified-Since",
       with(
           [](auto& p) {
             p.if_unmodified_since = 10;
             p.if_modified_since = 2000;
           },
           true),
       Verdict::failed, "If-Unmodified-Since"},
      {"If-Match ok, then If-None-Match 304",
       with(
           [](auto& p) {
             p.if_match = tags("\"3\"");
             p.if_none_match = tags("\"3\"");
           },
           true),
       Verdict::not_modified, "If-None-Match"},
  };
  for (const Case& c : cases) {
    const PreconditionResult r = evaluate_preconditions(c.p, etag, modified);
    EXPECT_EQ(r.verdict, c.verdict) << c.name;
    EXPECT_STREQ(r.header ? r.header : "", c.header ? c.header : "") << c.name;
  }
}

TEST(Evaluate, AFailureNamesItsHeader) {
  Error e = precondition_failed({Verdict::failed, "If-None-Match"}, "task 4 is at version 3");
  EXPECT_EQ(e.kind, ErrorKind::precondition_failed);
  ASSERT_EQ(e.errors.size(), 1u);
  EXPECT_EQ(e.errors[0].field, "If-None-Match");
  EXPECT_NE(e.detail.find("task 4 is at version 3"), std::string::npos);
}

}  // namespace
}  // namespace todo::http

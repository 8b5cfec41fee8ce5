// GET /api/{user_id}/tasks query string parsing (parse_task_query).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/time.hpp"
#include "tasks/cursor.hpp"
#include "tasks/task_query.hpp"

namespace todo {
namespace {

Result<TaskQuery> query(std::string_view text) {
  return parse_task_query(boost::urls::params_view(text));
}

std::vector<std::string> error_fields(const Result<TaskQuery>& r) {
  std::vector<std::string> out;
  for (const FieldError& f : r.error().errors) out.push_back(f.field);
  std::sort(out.begin(), out.end());
  return out;
}

// Asserts a 400 naming exactly `expected`.
void expect_bad(std::string_view text, std::vector<std::string> expected) {
  auto r = query(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.error().kind, ErrorKind::bad_request) << text;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(error_fields(r), expected) << text;
}

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ParseTaskQuery, Defaults) {
  auto r = query("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, StatusFilter::all);
  EXPECT_FALSE(r->priority);
  EXPECT_TRUE(r->tags.empty());
  EXPECT_FALSE(r->due_before);
  EXPECT_FALSE(r->due_after);
  EXPECT_TRUE(r->search_terms.empty());
  EXPECT_EQ(r->sort, SortField::created_at);
  EXPECT_FALSE(r->ascending);
  EXPECT_EQ(r->limit, 50);
  EXPECT_FALSE(r->after);
}

TEST(ParseTaskQuery, Status) {
  EXPECT_EQ(query("status=all")->status, StatusFilter::all);
  EXPECT_EQ(query("status=pending")->status, StatusFilter::pending);
  EXPECT_EQ(query("status=completed")->status, StatusFilter::completed);
  expect_bad("status=done", {"status"});
  expect_bad("status=", {"status"});
  expect_bad("status", {"status"});
  expect_bad("status=PENDING", {"status"});
}

TEST(ParseTaskQuery, Priority) {
  EXPECT_EQ(query("priority=low")->priority, Priority::low);
  EXPECT_EQ(query("priority=medium")->priority, Priority::medium);
  EXPECT_EQ(query("priority=high")->priority, Priority::high);
  expect_bad("priority=urgent", {"priority"});
}

TEST(ParseTaskQuery, TagIsRepeatableTrimmedAndDeduplicated) {
  auto r = query("tag=home&tag=%20work%20&tag=home");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tags, (std::vector<std::string>{"home", "work"}));
  EXPECT_EQ(query("tag=caf%C3%A9")->tags, std::vector<std::string>{"caf\xc3\xa9"});
}

TEST(ParseTaskQuery, TagLimits) {
  EXPECT_TRUE(query("tag=" + repeat("x", 50)).ok());
  expect_bad("tag=" + repeat("x", 51), {"tag"});
  expect_bad("tag=", {"tag"});
  std::string twenty, twenty_one;
  for (int i = 0; i < 20; ++i) twenty += "&tag=t" + std::to_string(i);
  twenty_one = twenty + "&tag=extra";
  EXPECT_EQ(query(twenty.substr(1))->tags.size(), 20u);
  expect_bad(twenty_one.substr(1), {"tag"});
}

TEST(ParseTaskQuery, DueBeforeAndAfter) {
  auto r = query("due_before=2026-12-01T09:00:00Z&due_after=2026-11-01T00:00:00%2B01:00");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->due_before, parse_rfc3339("2026-12-01T09:00:00Z"));
  EXPECT_EQ(r->due_after, parse_rfc3339("2026-10-31T23:00:00Z"));
  expect_bad("due_before=tomorrow", {"due_before"});
  expect_bad("due_after=2026-12-01", {"due_after"});
}

TEST(ParseTaskQuery, UnescapedPlusInOffsetIsUnderstood) {
  // "+" in a query string decodes to a space; the offset can only have meant "+".
  EXPECT_EQ(query("due_before=2026-12-01T10:00:00+01:00")->due_before,
            parse_rfc3339("2026-12-01T09:00:00Z"));
}

TEST(ParseTaskQuery, SearchTerms) {
  auto r = query("q=Pay%20the%20RENT,%20now!%20rent");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->search_terms, (std::vector<std::string>{"pay", "the", "rent", "now"}));
  // Folded in every script (tasks/task_search.hpp): case, accents, compatibility forms.
  EXPECT_EQ(query("q=Stra%C3%9Fe-M%C3%BCller")->search_terms,
            (std::vector<std::string>{"strasse", "muller"}));
  // Short terms must start a word, except in scripts written without spaces.
  EXPECT_EQ(query("q=Pa%20%E6%B5%8B%E8%AF%95")->search_terms,
            (std::vector<std::string>{" pa", "\xe6\xb5\x8b\xe8\xaf\x95"}));  // "pa 测试"
  EXPECT_TRUE(query("q=")->search_terms.empty());
  EXPECT_TRUE(query("q=%20-%20")->search_terms.empty());
  expect_bad("q=caf%E9", {"q"});  // Latin-1, not UTF-8
}

TEST(ParseTaskQuery, SearchLimits) {
  EXPECT_EQ(query("q=a%20b%20c%20d%20e%20f%20g%20h%20i%20j")->search_terms.size(), 10u);
  expect_bad("q=a%20b%20c%20d%20e%20f%20g%20h%20i%20j%20k", {"q"});
  EXPECT_TRUE(query("q=" + repeat("w", 50)).ok());
  expect_bad("q=" + repeat("w", 51), {"q"});
  EXPECT_TRUE(query("q=" + repeat("%E4%B8%AD", 50)).ok());  // 50 Han characters, 150 bytes
  expect_bad("q=" + repeat("%E4%B8%AD", 51), {"q"});
  EXPECT_TRUE(query("q=" + repeat("ab%20", 40)).ok());  // 120 bytes, 1 distinct term
  EXPECT_TRUE(query("q=" + repeat("a%20", 100)).ok());  // exactly 200 bytes
  expect_bad("q=" + repeat("a%20", 100) + "a", {"q"});  // 201 bytes
}

TEST(ParseTaskQuery, SortAndOrder) {
  EXPECT_EQ(query("sort=created_at")->sort, SortField::created_at);
  EXPECT_EQ(query("sort=updated_at")->sort, SortField::updated_at);
  EXPECT_EQ(query("sort=due_at")->sort, SortField::due_at);
  EXPECT_EQ(query("sort=priority")->sort, SortField::priority);
  EXPECT_EQ(query("sort=title")->sort, SortField::title);
  EXPECT_TRUE(query("order=asc")->ascending);
  EXPECT_FALSE(query("order=desc")->ascending);
  // Without order, the direction people expect of each sort.
  EXPECT_FALSE(query("")->ascending);  // created_at: newest first
  EXPECT_FALSE(query("sort=created_at")->ascending);
  EXPECT_FALSE(query("sort=updated_at")->ascending);
  EXPECT_TRUE(query("sort=due_at")->ascending);     // soonest first
  EXPECT_FALSE(query("sort=priority")->ascending);  // highest first
  EXPECT_TRUE(query("sort=title")->ascending);      // A to Z
  EXPECT_FALSE(query("sort=title&order=desc")->ascending);
  EXPECT_TRUE(query("sort=priority&order=asc")->ascending);
  expect_bad("sort=name", {"sort"});
  expect_bad("order=up", {"order"});
}

TEST(ParseTaskQuery, Limit) {
  EXPECT_EQ(query("limit=1")->limit, 1);
  EXPECT_EQ(query("limit=200")->limit, 200);
  EXPECT_EQ(query("limit=37")->limit, 37);
  for (const char* bad :
       {"limit=0", "limit=201", "limit=10000", "limit=-1", "limit=%2B5", "limit=5.0",
        "limit=", "limit=ten", "limit=%205", "limit=99999999999999999999999999"}) {
    expect_bad(bad, {"limit"});
  }
}

TEST(ParseTaskQuery, CursorForTheSameSortIsDecoded) {
  const std::string cursor = encode_cursor({SortField::due_at, true, std::int64_t{1234}, 7});
  auto r = query("sort=due_at&order=asc&cursor=" + cursor);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->after);
  EXPECT_EQ(r->after->id, 7);
  EXPECT_EQ(std::get<std::int64_t>(r->after->key), 1234);
  // Parameter order does not matter: the cursor is checked against the final sort.
  EXPECT_TRUE(query("cursor=" + cursor + "&order=asc&sort=due_at").ok());
}

TEST(ParseTaskQuery, EmptyCursorMeansFirstPage) {
  auto r = query("cursor=");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->after);
}

TEST(ParseTaskQuery, GarbageCursor) {
  expect_bad("cursor=garbage!", {"cursor"});
  expect_bad("cursor=bm90IGpzb24", {"cursor"});  // base64url of "not json"
}

TEST(ParseTaskQuery, CursorForAnotherSortOrOrder) {
  const std::string by_title = encode_cursor({SortField::title, false, std::string("a"), 3});
  expect_bad("cursor=" + by_title, {"cursor"});  // request sorts by created_at
  expect_bad("sort=title&order=asc&cursor=" + by_title, {"cursor"});
  EXPECT_TRUE(query("sort=title&order=desc&cursor=" + by_title).ok());
}

TEST(ParseTaskQuery, WithoutOrderACursorKeepsItsOwn) {
  // Cursors issued when every sort defaulted to desc walk on in that direction, although
  // sort=title now defaults to A to Z; their raw title key continues at its folded place.
  const std::string old_title = encode_cursor({SortField::title, false, std::string("Ébène"), 3});
  auto r = query("sort=title&cursor=" + old_title);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ascending);
  ASSERT_TRUE(r->after);
  EXPECT_FALSE(r->after->ascending);
  EXPECT_EQ(std::get<std::string>(r->after->key), "ebene");
  const std::string due_desc = encode_cursor({SortField::due_at, false, std::int64_t{5}, 4});
  EXPECT_FALSE(query("sort=due_at&cursor=" + due_desc)->ascending);
  EXPECT_TRUE(
      query("sort=due_at&cursor=" + encode_cursor({SortField::due_at, true, std::int64_t{5}, 4}))
          ->ascending);
}

TEST(ParseTaskQuery, UnknownParametersAreNamed) {
  auto r = query("status=all&colour=red&page=2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(error_fields(r), (std::vector<std::string>{"colour", "page"}));
}

TEST(ParseTaskQuery, SingleValuedParametersMustNotRepeat) {
  expect_bad("limit=5&limit=6", {"limit"});
  expect_bad("status=all&status=pending", {"status"});
}

TEST(ParseTaskQuery, StraySeparatorsAreIgnored) {
  EXPECT_EQ(query("&limit=5&&")->limit, 5);
}

TEST(ParseTaskQuery, CollectsOneErrorPerBadParameter) {
  expect_bad("status=x&priority=y&limit=0&sort=z&due_before=w&bogus=1",
             {"bogus", "due_before", "limit", "priority", "sort", "status"});
  // A bad cursor is reported alongside the other problems.
  expect_bad("limit=0&cursor=%21%21", {"cursor", "limit"});
}

}  // namespace
}  // namespace todo

#include "tasks/cursor.hpp"

#include <gtest/gtest.h>

#include "tasks/task_search.hpp"

namespace todo {
namespace {

void expect_rejected(std::string_view text, SortField sort, bool ascending) {
  auto r = decode_cursor(text, sort, ascending);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.error().kind, ErrorKind::bad_request);
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].field, "cursor");
}

// base64url without padding, for hand-made cursors.
std::string b64url(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (in.size() - i == 1) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    for (int s : {18, 12}) out += kAlphabet[(v >> s) & 63];
  } else if (in.size() - i == 2) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    for (int s : {18, 12, 6}) out += kAlphabet[(v >> s) & 63];
  }
  return out;
}

TEST(Cursor, RoundTripsIntegerKeys) {
  for (SortField sort :
       {SortField::created_at, SortField::updated_at, SortField::due_at, SortField::priority}) {
    for (bool asc : {true, false}) {
      const Cursor c{sort, asc, std::int64_t{1'796'115'600'123}, 42};
      auto r = decode_cursor(encode_cursor(c), sort, asc);
      ASSERT_TRUE(r.ok()) << r.error().detail;
      EXPECT_EQ(r->sort, sort);
      EXPECT_EQ(r->ascending, asc);
      EXPECT_EQ(std::get<std::int64_t>(r->key), 1'796'115'600'123);
      EXPECT_EQ(r->id, 42);
    }
  }
}

TEST(Cursor, RoundTripsExtremeKeys) {
  const Cursor c{SortField::due_at, true, kNoDueDateSortKey, INT64_MAX};
  auto r = decode_cursor(encode_cursor(c), SortField::due_at, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<std::int64_t>(r->key), kNoDueDateSortKey);
  const Cursor negative{SortField::created_at, false, std::int64_t{-5}, 1};
  EXPECT_EQ(std::get<std::int64_t>(
                decode_cursor(encode_cursor(negative), SortField::created_at, false)->key),
            -5);
}

TEST(Cursor, RoundTripsStringKeys) {
  // Title keys are folded (tasks/task_search.hpp): a key issued by the server comes back
  // unchanged.
  const std::string key = title_sort_key("Caf\xc3\xa9 \"quoted\" / \xf0\x9f\x98\x80 & more");
  EXPECT_EQ(key, "cafe \"quoted\" / \xf0\x9f\x98\x80 & more");
  const Cursor c{SortField::title, true, key, 7};
  const std::string text = encode_cursor(c);
  // URL-safe as is: no padding, no '+' or '/'.
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  auto r = decode_cursor(text, SortField::title, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<std::string>(r->key), key);
  EXPECT_EQ(r->id, 7);
}

TEST(Cursor, ARawTitleKeyIsFolded) {
  // Cursors issued before title keys were folded carry the raw title.
  auto r = decode_cursor(b64url(R"({"s":"title","o":"d","k":"\u00c9cole","i":4})"),
                         SortField::title, false);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(std::get<std::string>(r->key), "ecole");
}

TEST(Cursor, WithoutARequestedOrderTheCursorsOwnIsTaken) {
  for (bool asc : {true, false}) {
    const std::string text = encode_cursor({SortField::due_at, asc, std::int64_t{5}, 1});
    auto r = decode_cursor(text, SortField::due_at, std::nullopt);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->ascending, asc);
  }
  // The sort must still match.
  expect_rejected(encode_cursor({SortField::due_at, true, std::int64_t{5}, 1}), SortField::priority,
                  true);
  auto other_sort = decode_cursor(encode_cursor({SortField::due_at, true, std::int64_t{5}, 1}),
                                  SortField::priority, std::nullopt);
  EXPECT_FALSE(other_sort.ok());
}

TEST(Cursor, RejectsOtherSortOrOrder) {
  const std::string text = encode_cursor({SortField::created_at, false, std::int64_t{5}, 1});
  expect_rejected(text, SortField::updated_at, false);
  expect_rejected(text, SortField::created_at, true);
}

TEST(Cursor, RejectsGarbage) {
  for (const char* bad : {"", "!!!!", "abc=", "a", "e30", "bnVsbA", "W10", "eyJzIjoi"}) {
    expect_rejected(bad, SortField::created_at, false);  // e30 = "{}", W10 = "[]"
  }
  expect_rejected(std::string(5000, 'A'), SortField::created_at, false);
}

TEST(Cursor, AcceptsAHandMadeDocument) {
  auto r =
      decode_cursor(b64url(R"({"s":"priority","o":"a","k":3,"i":12})"), SortField::priority, true);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(std::get<std::int64_t>(r->key), 3);
  EXPECT_EQ(r->id, 12);
}

TEST(Cursor, RejectsTamperedDocuments) {
  for (const char* doc : {
           R"({"s":"created_at","o":"d","k":"5","i":1})",   // string key for a time sort
           R"({"s":"created_at","o":"d","k":5.5,"i":1})",   // fractional key
           R"({"s":"created_at","o":"d","k":null,"i":1})",  // null key
           R"({"s":"created_at","o":"d","k":5,"i":0})",     // id 0
           R"({"s":"created_at","o":"d","k":5,"i":-3})",    // negative id
           R"({"s":"created_at","o":"d","k":5,"i":"1"})",   // id as string
           R"({"s":"created_at","o":"d","k":5,"i":18446744073709551615})",  // id > INT64_MAX
           R"({"s":"created_at","o":"down","k":5,"i":1})",                  // bad order
           R"({"s":"name","o":"d","k":5,"i":1})",                           // unknown sort
           R"({"s":"created_at","o":"d","k":5})",                           // missing id
           R"({"s":"created_at","o":"d","k":5,"i":1,"x":0})",               // extra member
       }) {
    expect_rejected(b64url(doc), SortField::created_at, false);
  }
  expect_rejected(b64url(R"({"s":"title","o":"d","k":5,"i":1})"), SortField::title, false);
}

TEST(Cursor, RejectsNonCanonicalEncodings) {
  const std::string good = encode_cursor({SortField::created_at, false, std::int64_t{5}, 9});
  expect_rejected(good + "=", SortField::created_at, false);  // padding
  expect_rejected(good + "==", SortField::created_at, false);
  expect_rejected(" " + good, SortField::created_at, false);  // white space
  std::string standard_alphabet = good;
  for (char& c : standard_alphabet) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (standard_alphabet != good) expect_rejected(standard_alphabet, SortField::created_at, false);
  // Changing one character yields a different document or none at all, never this one.
  std::string flipped = good;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  auto r = decode_cursor(flipped, SortField::created_at, false);
  EXPECT_TRUE(!r.ok() || r->id != 9 || std::get<std::int64_t>(r->key) != 5);
}

// Found by fuzzing (fuzz/cursor.cpp): libsodium 1.0.18 decodes bytes over 0x7F (a "%FF" in
// the query string) as the base64url digit '_', so a cursor had more than one spelling.
TEST(Cursor, RefusesBytesOutsideTheBase64urlAlphabet) {
  // A title key of '?'s puts a '_' (six 1-bits) into the encoding.
  const std::string text = encode_cursor(Cursor{SortField::title, true, std::string("???"), 7});
  ASSERT_NE(text.find('_'), std::string::npos) << text;
  ASSERT_TRUE(decode_cursor(text, SortField::title, true).ok());
  std::string respelt = text;
  respelt[text.find('_')] = '\xff';
  auto r = decode_cursor(respelt, SortField::title, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_request);
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].field, "cursor");
}

}  // namespace
}  // namespace todo

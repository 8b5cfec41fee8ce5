// Parameters in PostgreSQL's binary format (Params::add_text_array): what PostgreSQL receives
// is exactly what was given, whatever the elements hold, and bad input is refused by
// PostgreSQL with an error, never stored altered.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/postgres/pg_handle.hpp"
#include "storage_fixture.hpp"

namespace todo::storage {
namespace {

using namespace fixture;
using postgres::Handle;
using postgres::Params;

// The bytes of array_send's format, checked by hand (big-endian int32s).
TEST(BinaryTextArray, HasPostgresArraySendLayout) {
  using namespace std::string_literals;
  EXPECT_EQ(postgres::encode_binary_text_array({}),
            "\0\0\0\0"s
            "\0\0\0\0"s
            "\0\0\0\x19"s);  // ndim 0, flags 0, OID 25
  EXPECT_EQ(postgres::encode_binary_text_array({"ab", ""}),
            "\0\0\0\1"s
            "\0\0\0\0"s
            "\0\0\0\x19"s  // ndim 1, no NULL, text
            "\0\0\0\2"s
            "\0\0\0\1"s  // 2 elements from index 1
            "\0\0\0\2ab"s
            "\0\0\0\0"s);
  const std::string big(70000, 'x');
  const auto encoded = postgres::encode_binary_text_array({big});
  ASSERT_EQ(encoded.size(), 20 + 4 + big.size());
  EXPECT_EQ(encoded.substr(20, 4), "\0\1\x11\x70"s);  // 70 000
}

TEST(BinaryIntArray, HasPostgresArraySendLayoutAndRefusesWhatDoesNotFit) {
  using namespace std::string_literals;
  EXPECT_EQ(postgres::encode_binary_int_array({-2}, 8),
            "\0\0\0\1"s
            "\0\0\0\0"s
            "\0\0\0\x14"s
            "\0\0\0\1"s
            "\0\0\0\1"s  // int8
            "\0\0\0\x08"s
            "\xff\xff\xff\xff\xff\xff\xff\xfe"s);
  EXPECT_EQ(postgres::encode_binary_int_array({258}, 4),
            "\0\0\0\1"s
            "\0\0\0\0"s
            "\0\0\0\x17"s
            "\0\0\0\1"s
            "\0\0\0\1"s  // int4
            "\0\0\0\x04"s
            "\0\0\x01\x02"s);
  EXPECT_THROW(postgres::encode_binary_int_array({std::int64_t(1) << 31}, 4), std::out_of_range);
  EXPECT_THROW(postgres::encode_binary_int_array({-(std::int64_t(1) << 31) - 1}, 4),
               std::out_of_range);
  EXPECT_NO_THROW(postgres::encode_binary_int_array({INT32_MIN, INT32_MAX}, 4));
}

class PgParams : public PostgresOnly {};

// Elements that the text format must quote or escape come back byte for byte; each element
// is one element (no splitting at commas or braces, "NULL" is a string).
TEST_F(PgParams, ATextArrayReachesPostgresUnaltered) {
  Handle db(url_);
  const std::vector<std::string> items = {"plain",
                                          "",
                                          "with \"quotes\"",
                                          "back\\slash",
                                          "a,b",
                                          "{braces}",
                                          "NULL",
                                          " spaced ",
                                          "línea\nnueva\t✓",
                                          R"({"type":"created","data":{"title":"Pay \"rent\""}})",
                                          std::string(100000, 'z')};
  auto rows = db.exec("SELECT e, n FROM unnest($1::text[]) WITH ORDINALITY AS r(e, n) ORDER BY n",
                      Params().add_text_array(items));
  ASSERT_EQ(rows.size(), int(items.size()));
  for (int i = 0; i < rows.size(); ++i) {
    EXPECT_FALSE(rows.is_null(i, 0));
    EXPECT_EQ(rows.text(i, 0), items[std::size_t(i)]) << "element " << i;
  }
  // mixed with text parameters before and after it, and an empty array
  auto mixed = db.exec("SELECT $1 || ':' || cardinality($2::text[]) || ':' || $3",
                       Params().add("x").add_text_array({}).add(std::int64_t(7)));
  EXPECT_EQ(mixed.text(0, 0), "x:0:7");
  auto one =
      db.exec("SELECT cardinality($1::text[]), ($1::text[])[1]", Params().add_text_array({"only"}));
  EXPECT_EQ(one.text(0, 0), "1");
  EXPECT_EQ(one.text(0, 1), "only");
}

// Integers keep their value and order at both ends of their ranges, as bigint[] and integer[].
TEST_F(PgParams, IntegerArraysReachPostgresUnaltered) {
  Handle db(url_);
  const std::vector<std::int64_t> big = {0, 1, -1, INT64_MAX, INT64_MIN, 1700000000000, 42};
  auto rows = db.exec("SELECT v FROM unnest($1::bigint[]) WITH ORDINALITY AS r(v, n) ORDER BY n",
                      Params().add_bigint_array(big));
  ASSERT_EQ(rows.size(), int(big.size()));
  for (int i = 0; i < rows.size(); ++i) EXPECT_EQ(rows.int64(i, 0), big[std::size_t(i)]);
  const std::vector<std::int64_t> small = {INT32_MIN, -7, 0, 0x40000000, INT32_MAX};
  auto ints = db.exec("SELECT v FROM unnest($1::integer[]) WITH ORDINALITY AS r(v, n) ORDER BY n",
                      Params().add_integer_array(small));
  ASSERT_EQ(ints.size(), int(small.size()));
  for (int i = 0; i < ints.size(); ++i) EXPECT_EQ(ints.int64(i, 0), small[std::size_t(i)]);
  auto none = db.exec("SELECT cardinality($1::bigint[]), cardinality($2::integer[])",
                      Params().add_bigint_array({}).add_integer_array({}));
  EXPECT_EQ(none.text(0, 0), "0");
  EXPECT_EQ(none.text(0, 1), "0");
}

// Bytes that are not UTF-8, or a NUL (text cannot hold one), are refused by PostgreSQL as
// they are in the text format; the connection stays usable.
TEST_F(PgParams, InvalidTextInAnArrayIsRefusedNotStored) {
  Handle db(url_);
  for (const std::string bad : {std::string("ok\xff", 3), std::string("nul\0byte", 8)}) {
    EXPECT_THROW(db.exec("SELECT cardinality($1::text[])", Params().add_text_array({"a", bad})),
                 DbError);
    auto after = db.exec("SELECT cardinality($1::text[])", Params().add_text_array({"a"}));
    EXPECT_EQ(after.text(0, 0), "1");
  }
}

// The statement must take an array as the type it was encoded as: else an error, not a guess.
TEST_F(PgParams, AnArrayOfAnotherElementTypeIsRefused) {
  Handle db(url_);
  EXPECT_THROW(db.exec("SELECT cardinality($1::bigint[])", Params().add_text_array({"1"})),
               DbError);
  EXPECT_THROW(db.exec("SELECT cardinality($1::integer[])", Params().add_bigint_array({1})),
               DbError);
  auto after = db.exec("SELECT 1");
  EXPECT_EQ(after.text(0, 0), "1");
}

// Results in the binary format (ResultFormat::binary, the task reads): every typed accessor
// reads what the text format reads, at the ends of each integer type's range, for booleans,
// NULLs, and text arrays whose elements the text format must quote, escape or spell NULL.
TEST_F(PgParams, BinaryResultsReadAsTheTextFormatDoes) {
  Handle db(url_);
  const std::vector<std::string> items = {
      "plain", "",     "with \"quotes\"", "back\\slash",
      "a,b",   "NULL", "línea\nnueva\t✓", std::string(5000, 'z')};
  const std::string sql =
      "SELECT $1::bigint, $2::bigint, (-32768)::smallint, 32767::smallint, (-2147483648)::int, "
      "2147483647::int, 0::bigint, (-1)::bigint, true, false, NULL::bigint, $3::text[], "
      "'{}'::text[], NULL::text[], ARRAY['x', NULL, 'y']::text[], 'été'::text, ''::text";
  auto params = [&] { return Params().add(INT64_MIN).add(INT64_MAX).add_text_array(items); };
  auto text = db.exec(sql, params());
  auto binary = db.exec(sql, params(), postgres::ResultFormat::binary);
  ASSERT_EQ(binary.size(), 1);
  for (int c : {0, 1, 2, 3, 4, 5, 6, 7})
    EXPECT_EQ(binary.int64(0, c), text.int64(0, c)) << "column " << c;
  EXPECT_EQ(binary.int64(0, 0), INT64_MIN);
  EXPECT_EQ(binary.int64(0, 1), INT64_MAX);
  EXPECT_EQ(binary.int64(0, 2), -32768);
  EXPECT_EQ(binary.int64(0, 5), 2147483647);
  EXPECT_EQ(binary.int64(0, 7), -1);
  EXPECT_TRUE(binary.boolean(0, 8));
  EXPECT_FALSE(binary.boolean(0, 9));
  EXPECT_EQ(text.boolean(0, 8), true);
  EXPECT_EQ(binary.opt_int64(0, 10), std::nullopt);
  EXPECT_EQ(binary.text_array(0, 11), items);
  EXPECT_EQ(text.text_array(0, 11), items);
  EXPECT_TRUE(binary.text_array(0, 12).empty());
  EXPECT_TRUE(binary.text_array(0, 13).empty());
  EXPECT_EQ(binary.text_array(0, 14), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(binary.text(0, 15), "été");
  EXPECT_EQ(binary.text(0, 16), "");
  // A text column read as an integer is an error in both formats, not a made-up number.
  EXPECT_THROW(binary.int64(0, 15), DbError);
  EXPECT_THROW(text.int64(0, 15), DbError);
  // ...also when its bytes are as many as an integer's (by type, not by length), and a
  // number read as a boolean.
  auto four =
      db.exec("SELECT 'abcd'::text, 'ab'::text, 1::int", {}, postgres::ResultFormat::binary);
  EXPECT_THROW(four.int64(0, 0), DbError);
  EXPECT_THROW(four.int64(0, 1), DbError);
  EXPECT_THROW(four.boolean(0, 2), DbError);
}

// A malformed binary array (from a broken or hostile peer) is a DbError, never a read past
// the end of the value or a huge allocation.
TEST(BinaryTextArray, MalformedBytesAreRefused) {
  using namespace std::string_literals;
  const std::string head =
      "\0\0\0\1"s
      "\0\0\0\0"s
      "\0\0\0\x19"s;
  EXPECT_THROW(postgres::decode_binary_text_array(""), DbError);
  EXPECT_THROW(postgres::decode_binary_text_array("\0\0\0\1"s), DbError);
  EXPECT_THROW(postgres::decode_binary_text_array(head), DbError);  // no dimension
  EXPECT_THROW(postgres::decode_binary_text_array("\0\0\0\2"s
                                                  "\0\0\0\0"s
                                                  "\0\0\0\x19"s
                                                  "\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1"s),
               DbError);  // two dimensions
  EXPECT_THROW(postgres::decode_binary_text_array(head + "\x7f\xff\xff\xff"s
                                                         "\0\0\0\1"s),
               DbError);  // 2^31-1 elements announced, none there
  EXPECT_THROW(postgres::decode_binary_text_array(head + "\0\0\0\1"s
                                                         "\0\0\0\1"s
                                                         "\0\0\0\x09"s
                                                         "ab"s),
               DbError);  // an element longer than what is left
  EXPECT_THROW(postgres::decode_binary_text_array(head + "\0\0\0\1"s
                                                         "\0\0\0\1"s
                                                         "\xff\xff\xff\xfe"s),
               DbError);  // a negative length other than NULL's -1
  EXPECT_EQ(
      postgres::decode_binary_text_array(postgres::encode_binary_text_array({"a", "", "b c"})),
      (std::vector<std::string>{"a", "", "b c"}));
  EXPECT_TRUE(postgres::decode_binary_text_array(postgres::encode_binary_text_array({})).empty());
}

}  // namespace
}  // namespace todo::storage

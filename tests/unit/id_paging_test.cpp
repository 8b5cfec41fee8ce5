// Paging by id (http/id_paging.hpp): what the notifications and webhook-delivery lists accept.
#include "http/id_paging.hpp"

#include <gtest/gtest.h>

namespace todo::http {
namespace {

TEST(IdPaging, PositiveIdsOnly) {
  EXPECT_EQ(parse_positive_id("42"), 42);
  EXPECT_EQ(parse_positive_id("9223372036854775807"), 9223372036854775807LL);
  for (const char* bad : {"", "0", "-1", "1x", " 1", "9223372036854775808", "+1"})
    EXPECT_FALSE(parse_positive_id(bad).has_value()) << bad;
}

TEST(IdPaging, ReadsLimitAndCursorAndNamesWhatIsWrong) {
  IdPage page;
  std::vector<FieldError> errors;
  EXPECT_TRUE(read_id_page_param("limit", "200", page, errors));
  EXPECT_TRUE(read_id_page_param("cursor", "17", page, errors));
  EXPECT_TRUE(read_id_page_param("cursor", "", page, errors));  // the first page: unchanged
  EXPECT_FALSE(read_id_page_param("unread", "true", page, errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(page.limit, 200);
  EXPECT_EQ(page.before_id, 17);

  EXPECT_TRUE(read_id_page_param("limit", "201", page, errors));
  EXPECT_TRUE(read_id_page_param("limit", "0", page, errors));
  EXPECT_TRUE(read_id_page_param("cursor", "abc", page, errors));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "limit");
  EXPECT_EQ(errors[2].field, "cursor");
  EXPECT_EQ(page.limit, 200) << "a bad value leaves the page as it was";

  Error e = query_error(errors);
  EXPECT_EQ(e.kind, ErrorKind::bad_request);
  EXPECT_EQ(e.errors.size(), 3u);
  EXPECT_EQ(e.detail,
            "limit must be an integer from 1 to 200; limit must be an integer from 1 to 200; "
            "cursor is not a cursor this API returned");
}

}  // namespace
}  // namespace todo::http

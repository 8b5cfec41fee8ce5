#include "core/json_members.hpp"

#include <gtest/gtest.h>

namespace todo {
namespace {

TEST(HasDuplicateMember, FindsRepeatedNamesAtAnyDepth) {
  EXPECT_TRUE(has_duplicate_member(R"({"a":1,"a":2})"));
  EXPECT_TRUE(has_duplicate_member(R"({"a":1,"b":{"c":1,"c":1}})"));
  EXPECT_TRUE(has_duplicate_member(R"([{"x":[{"y":1,"y":2}]}])"));
  EXPECT_TRUE(has_duplicate_member(R"({"alg":"HS256","\u0061lg":"none"})")) << "escaped name";
}

TEST(HasDuplicateMember, AcceptsDistinctNames) {
  EXPECT_FALSE(has_duplicate_member(R"({"a":1,"b":2})"));
  EXPECT_FALSE(has_duplicate_member(R"({"a":{"a":{"a":1}}})")) << "same name, other objects";
  EXPECT_FALSE(has_duplicate_member(R"([{"a":1},{"a":2}])")) << "siblings in an array";
  EXPECT_FALSE(has_duplicate_member(R"({"A":1,"a":2})")) << "names are case-sensitive";
  EXPECT_FALSE(has_duplicate_member("{}"));
  EXPECT_FALSE(has_duplicate_member("not json"));
}

TEST(HasDuplicateMember, ManyMembersAreLinear) {
  std::string many = "{";
  for (int i = 0; i < 50000; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  EXPECT_FALSE(has_duplicate_member(many + "}"));
  EXPECT_TRUE(has_duplicate_member(many + ",\"k49999\":1}"));
}

}  // namespace
}  // namespace todo

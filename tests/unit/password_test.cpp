#include "auth/password.hpp"
#include "core/random.hpp"

#include <gtest/gtest.h>

#include <set>

namespace todo {
namespace {

TEST(Password, HashVerifies) {
  const std::string hash = hash_password("correct horse battery staple");
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_TRUE(verify_password("correct horse battery staple", hash));
  EXPECT_FALSE(verify_password("correct horse battery stapl", hash));
  EXPECT_FALSE(verify_password("", hash));
}

TEST(Password, HashesAreSalted) {
  EXPECT_NE(hash_password("same password"), hash_password("same password"));
}

TEST(Password, VerifyRejectsGarbageHashes) {
  EXPECT_FALSE(verify_password("password", ""));
  EXPECT_FALSE(verify_password("password", "not a hash"));
  EXPECT_FALSE(verify_password("password", std::string(1000, '$')));
}

TEST(Password, NonAsciiPasswords) {
  const std::string pw = "p\xc3\xa4ssw\xc3\xb6rt-\xf0\x9f\x94\x91";
  EXPECT_TRUE(verify_password(pw, hash_password(pw)));
}

TEST(WeakPasswordReason, LengthInCodePoints) {
  EXPECT_EQ(weak_password_reason("abcdefgh", "a@example.com"), std::nullopt);
  EXPECT_NE(weak_password_reason("abcdefg", "a@example.com"), std::nullopt);
  EXPECT_NE(weak_password_reason("", "a@example.com"), std::nullopt);
  EXPECT_EQ(weak_password_reason(std::string(127, 'a') + "b", "a@example.com"), std::nullopt);
  EXPECT_NE(weak_password_reason(std::string(128, 'a') + "b", "a@example.com"), std::nullopt);
  // Seven 2-byte characters are 14 bytes but only 7 characters: too short.
  EXPECT_NE(weak_password_reason("\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xa8\xc3\xa0",
                                 "a@example.com"),
            std::nullopt);
  // Eight 4-byte characters are long enough.
  EXPECT_EQ(weak_password_reason("\xf0\x9f\x94\x91\xf0\x9f\x94\x92\xf0\x9f\x94\x93\xf0\x9f\x94\x94"
                                 "\xf0\x9f\x94\x95\xf0\x9f\x94\x96\xf0\x9f\x94\x97\xf0\x9f\x94\x98",
                                 "a@example.com"),
            std::nullopt);
}

TEST(WeakPasswordReason, OneRepeatedCharacter) {
  EXPECT_NE(weak_password_reason("aaaaaaaa", "a@example.com"), std::nullopt);
  EXPECT_NE(weak_password_reason(std::string(40, '1'), "a@example.com"), std::nullopt);
  EXPECT_NE(weak_password_reason("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4",
                                 "a@example.com"),
            std::nullopt);
  EXPECT_EQ(weak_password_reason("aaaaaaab", "a@example.com"), std::nullopt);
}

TEST(WeakPasswordReason, NotTheEmail) {
  EXPECT_NE(weak_password_reason("alice@example.com", "alice@example.com"), std::nullopt);
  EXPECT_NE(weak_password_reason("Alice@Example.COM", "alice@example.com"), std::nullopt);
  EXPECT_EQ(weak_password_reason("alice@example.com!", "alice@example.com"), std::nullopt);
}

TEST(WeakPasswordReason, ReasonsAreReadable) {
  EXPECT_EQ(weak_password_reason("short", "a@b.c"), "must be at least 8 characters");
  EXPECT_EQ(weak_password_reason(std::string(129, 'x') + "y", "a@b.c"),
            "must be at most 128 characters");
}

TEST(WeakPasswordReason, InvalidUtf8) {
  EXPECT_NE(weak_password_reason("abcdefgh\xff", "a@b.c"), std::nullopt);
}

TEST(RandomUserId, Format) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = random_user_id();
    ASSERT_EQ(id.size(), 22u) << id;
    EXPECT_TRUE(id.starts_with("u_")) << id;
    for (char c : id.substr(2)) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << id;
    }
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(RandomHex, LengthAndAlphabet) {
  EXPECT_EQ(random_hex(0), "");
  const std::string hex = random_hex(16);
  ASSERT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(random_hex(32), random_hex(32));
}

}  // namespace
}  // namespace todo

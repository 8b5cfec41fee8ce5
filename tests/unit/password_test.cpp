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

// The rules without the dictionary (password_form_reason): length, repetition, e-mail.
TEST(PasswordFormReason, LengthInCodePoints) {
  EXPECT_EQ(password_form_reason("abcdefgh", "a@example.com"), std::nullopt);
  EXPECT_NE(password_form_reason("abcdefg", "a@example.com"), std::nullopt);
  EXPECT_NE(password_form_reason("", "a@example.com"), std::nullopt);
  EXPECT_EQ(password_form_reason(std::string(127, 'a') + "b", "a@example.com"), std::nullopt);
  EXPECT_NE(password_form_reason(std::string(128, 'a') + "b", "a@example.com"), std::nullopt);
  // Seven 2-byte characters are 14 bytes but only 7 characters: too short.
  EXPECT_NE(password_form_reason("\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xa8\xc3\xa0",
                                 "a@example.com"),
            std::nullopt);
  // Eight 4-byte characters are long enough (and pass the whole policy too).
  const std::string keys =
      "\xf0\x9f\x94\x91\xf0\x9f\x94\x92\xf0\x9f\x94\x93\xf0\x9f\x94\x94"
      "\xf0\x9f\x94\x95\xf0\x9f\x94\x96\xf0\x9f\x94\x97\xf0\x9f\x94\x98";
  EXPECT_EQ(password_form_reason(keys, "a@example.com"), std::nullopt);
  EXPECT_EQ(weak_password_reason(keys, "a@example.com"), std::nullopt);
}

TEST(PasswordFormReason, OneRepeatedCharacter) {
  EXPECT_NE(password_form_reason("aaaaaaaa", "a@example.com"), std::nullopt);
  EXPECT_NE(password_form_reason(std::string(40, '1'), "a@example.com"), std::nullopt);
  EXPECT_NE(password_form_reason("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4",
                                 "a@example.com"),
            std::nullopt);
  EXPECT_EQ(password_form_reason("aaaaaaab", "a@example.com"), std::nullopt);
}

TEST(PasswordFormReason, NotTheEmail) {
  EXPECT_NE(password_form_reason("alice@example.com", "alice@example.com"), std::nullopt);
  EXPECT_NE(password_form_reason("Alice@Example.COM", "alice@example.com"), std::nullopt);
  EXPECT_EQ(password_form_reason("alice@example.com!", "alice@example.com"), std::nullopt);
  EXPECT_EQ(weak_password_reason("alice@example.com!", "alice@example.com"), std::nullopt);
}

TEST(PasswordFormReason, ReasonsAreReadable) {
  EXPECT_EQ(password_form_reason("short", "a@b.c"), "must be at least 8 characters");
  EXPECT_EQ(password_form_reason(std::string(129, 'x') + "y", "a@b.c"),
            "must be at most 128 characters");
  EXPECT_EQ(password_form_reason(std::string("abcd\0efgh", 9), "a@b.c"),
            "must not contain NUL characters");
}

TEST(PasswordFormReason, InvalidUtf8) {
  EXPECT_NE(password_form_reason("abcdefgh\xff", "a@b.c"), std::nullopt);
}

// The whole policy (weak_password_reason) adds libpwquality's check against cracklib's
// dictionary (NIST SP 800-63B §5.1.1.2).
TEST(WeakPasswordReason, CommonPasswordsAreRefusedSayingWhy) {
  for (const char* common : {"password1", "qwerty123", "iloveyou", "letmein1", "passw0rd",
                             "trustno1", "sunshine", "football", "monkey123", "Password123",
                             "123456789", "abc12345", "qwertyuiop", "11111111a"}) {
    const auto reason = weak_password_reason(common, "a@example.com");
    ASSERT_NE(reason, std::nullopt) << common << " was accepted";
    EXPECT_TRUE(reason->starts_with("is a common password") ||
                reason->starts_with("is too simple") || reason->starts_with("must not repeat") ||
                reason->starts_with("must not contain a run"))
        << common << ": " << *reason;
  }
  EXPECT_EQ(weak_password_reason("password1", "a@example.com"),
            "is a common password or based on a dictionary word");
  EXPECT_EQ(weak_password_reason("abcd1234", "a@example.com"),
            "is too simple: a common pattern like abc123");
}

TEST(WeakPasswordReason, RepetitionSequencesAndPalindromes) {
  EXPECT_EQ(weak_password_reason("aaaaab-zebra", "a@example.com"),
            "must not repeat a character more than 4 times in a row");
  EXPECT_EQ(weak_password_reason("aaaab-zebra", "a@example.com"), std::nullopt);
  EXPECT_EQ(weak_password_reason("zebra-56789-lamp", "a@example.com"),
            "must not contain a run of more than 4 consecutive characters like 12345 or abcde");
  EXPECT_EQ(weak_password_reason("zebra-5678-lamp", "a@example.com"), std::nullopt);
  EXPECT_EQ(weak_password_reason("racecar12321racecar", "a@example.com"),
            "must not be a palindrome");
}

TEST(WeakPasswordReason, StrongPasswordsAreAccepted) {
  for (const char* strong :
       {"correct horse battery staple", "Kx8-tq3w", "a quiet walk in the rain", "gr8 zebra 19 lamp",
        "xyzzy plugh 42", "Tr0ub4dor&3", "\xc3\x96lk\xc3\xa4nnchen-W\xc3\xbcrfel 7"})
    EXPECT_EQ(weak_password_reason(strong, "a@example.com"), std::nullopt) << strong;
}

// Every password the other suites sign up or change to must pass the policy, or those
// suites fail for the wrong reason. Keep this list in step with them.
TEST(WeakPasswordReason, PasswordsTheTestSuitesUseAreAccepted) {
  for (const char* used :
       {"correct horse battery staple",  // tests/integration/harness.mjs PASSWORD
        "a different passphrase 42",     // tests/integration/accounts.test.mjs
        "another passphrase 77",         // tests/integration/openapi.test.mjs
        "a brand new passphrase",        // tests/e2e/settings.test.mjs
        "new password 22", "my password 1", "new-password", "old password 1",
        "bench-password"})  // bench/run.sh
    EXPECT_EQ(weak_password_reason(used, "someone@example.com"), std::nullopt) << used;
}

TEST(WeakPasswordReason, TheDictionaryIsInstalled) {
  EXPECT_NO_THROW(check_password_dictionary());
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

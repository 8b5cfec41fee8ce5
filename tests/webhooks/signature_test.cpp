#include "webhooks/signature.hpp"

#include <gtest/gtest.h>

namespace todo::webhooks {
namespace {

// The example of the Standard Webhooks specification and of its libraries' test suites
// (standard-webhooks/libraries, javascript/src/index.test.ts).
constexpr std::string_view kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kSpecMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr long long kSpecTimestamp = 1614265330;
constexpr std::string_view kSpecBody = R"({"test": 2432232314})";
constexpr std::string_view kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(Signature, MatchesTheSpecificationsExample) {
  auto key = secret_key(kSpecSecret);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 24u);
  EXPECT_EQ(sign(*key, kSpecMsgId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(Signature, ChangesWithEachSignedPart) {
  auto key = *secret_key(kSpecSecret);
  EXPECT_NE(sign(key, "msg_other", kSpecTimestamp, kSpecBody), kSpecSignature);
  EXPECT_NE(sign(key, kSpecMsgId, kSpecTimestamp + 1, kSpecBody), kSpecSignature);
  EXPECT_NE(sign(key, kSpecMsgId, kSpecTimestamp, R"({"test": 2432232315})"), kSpecSignature);
  auto other = *secret_key("whsec_" + std::string(32, 'A'));
  EXPECT_NE(sign(other, kSpecMsgId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(Signature, NewSecretsAreWhsecWith24RandomBytes) {
  std::string a = make_secret();
  std::string b = make_secret();
  EXPECT_TRUE(a.starts_with("whsec_"));
  EXPECT_EQ(a.size(), 6u + 32u);  // base64 of 24 bytes: 32 characters, no padding needed
  EXPECT_NE(a, b);
  auto key = secret_key(a);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 24u);
}

TEST(Signature, MalformedSecretsHaveNoKey) {
  EXPECT_FALSE(secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));  // no prefix
  EXPECT_FALSE(secret_key("whsec_"));
  EXPECT_FALSE(secret_key("whsec_not base64!"));
  EXPECT_TRUE(secret_key("whsec_dGVzdA=="));  // padded
  EXPECT_TRUE(secret_key("whsec_dGVzdA"));    // unpadded, as the libraries accept
}

// libsodium 1.0.18 took bytes over 0x7F for the base64 digit '/' (found by fuzzing).
TEST(Signature, SecretRefusesBytesOutsideTheBase64Alphabet) {
  EXPECT_TRUE(secret_key("whsec_QUF/"));
  EXPECT_FALSE(secret_key("whsec_QUF\xff"));
}

}  // namespace
}  // namespace todo::webhooks

// config/secret_strength.hpp: the secrets the service runs with (TODO_JWT_SECRET,
// APP_API_TOKEN, DAPR_API_TOKEN) are refused when whitespace or guessable.
#include "config/secret_strength.hpp"

#include <gtest/gtest.h>

#include "core/random.hpp"

namespace todo {
namespace {

TEST(SecretEntropy, RepeatsSequencesAndWordsScoreLow) {
  EXPECT_LT(secret_entropy_bits(std::string(32, 'a')), 20);
  EXPECT_LT(secret_entropy_bits("abcdefghijklmnopqrstuvwxyz123456"), 20);
  EXPECT_LT(secret_entropy_bits("passwordpasswordpasswordpassword"), 20);
  EXPECT_LT(secret_entropy_bits("0123456789012345678901234567890123456789"), 20);
  EXPECT_LT(secret_entropy_bits("qwertyuiopasdfghjklzxcvbnm123456"), 60);
}

TEST(SecretEntropy, RandomValuesScoreHigh) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_GE(secret_entropy_bits(random_hex(16)), kMinSecretBits);  // openssl rand -hex 16
    EXPECT_GE(secret_entropy_bits(random_hex(32)), 200);
  }
}

TEST(WeakSecretReason, WhitespaceIsRefused) {
  EXPECT_EQ(weak_secret_reason(std::string(32, ' ')), "is only whitespace");
  EXPECT_EQ(weak_secret_reason(" \t\r\n"), "is only whitespace");
  const std::string good = random_hex(32);
  EXPECT_NE(weak_secret_reason(good + "\n"), std::nullopt) << "a pasted newline";
  EXPECT_NE(weak_secret_reason(" " + good), std::nullopt);
  EXPECT_EQ(weak_secret_reason(good.substr(0, 20) + "\x01" + good.substr(20)),
            "contains control characters");
  EXPECT_EQ(weak_secret_reason(""), "is empty");
}

TEST(WeakSecretReason, LowEntropyIsRefusedWithoutQuotingTheSecret) {
  for (const std::string weak :
       {std::string(32, 'a'), std::string("abcdefghijklmnopqrstuvwxyz123456"),
        std::string("change-me-change-me-change-me-change-me"),
        std::string("manifests-test-app-token"),
        std::string("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")}) {
    auto reason = weak_secret_reason(weak);
    ASSERT_NE(reason, std::nullopt) << weak;
    EXPECT_TRUE(reason->starts_with("is too easy to guess")) << *reason;
    EXPECT_EQ(reason->find(weak), std::string::npos) << "the reason quotes the secret";
  }
}

TEST(WeakSecretReason, RandomSecretsAndTheTestSuitesSecretsPass) {
  EXPECT_EQ(weak_secret_reason(random_hex(32)), std::nullopt);
  EXPECT_EQ(weak_secret_reason(random_hex(16)), std::nullopt);
  EXPECT_EQ(weak_secret_reason("8ipOkzGc6EDPyhP0Ie6XiJ+BAiOL/nLeHHxb8U6Vc4s="), std::nullopt);
  // tests/integration/harness.mjs JWT_SECRET; tokens made of a UUID
  EXPECT_EQ(weak_secret_reason("integration-test-secret-7f3c9a1e5b2d4c6a8e0f1b3d5c7e9a2b"),
            std::nullopt);
  EXPECT_EQ(weak_secret_reason("app-af9ba50f-bad1-46b4-a568-1a80dc59f171"), std::nullopt);
}

}  // namespace
}  // namespace todo

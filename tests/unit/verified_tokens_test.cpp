// VerifiedTokens (auth/verified_tokens.hpp): a verified token's claims come back for the very
// same token only, never once it has expired, and the cache stays within its capacity.
#include "auth/verified_tokens.hpp"

#include <gtest/gtest.h>

#include <string>

#include "auth/jwt.hpp"
#include "core/time.hpp"

namespace todo::auth {
namespace {

constexpr std::string_view kSecret = "test-secret-with-enough-entropy-123";
constexpr Millis kNow = 1'800'000'000'000;
constexpr Millis kHour = 3'600'000;
constexpr Millis kLeeway = 30'000;

JwtClaims claims_of(const std::string& subject, Millis expires_at = kNow + kHour) {
  JwtClaims c;
  c.subject = subject;
  c.token_id = "jti-" + subject;
  c.issued_at = kNow;
  c.expires_at = expires_at;
  return c;
}

std::string token_of(const JwtClaims& c) {
  return sign_jwt(c, kSecret, JwtOptions{});
}

TEST(VerifiedTokens, GivesBackTheClaimsOfTheSameTokenOnly) {
  VerifiedTokens cache;
  const JwtClaims alice = claims_of("u_alice");
  const std::string token = token_of(alice);
  EXPECT_FALSE(cache.find(token, kNow, kLeeway)) << "nothing is held before insert";
  cache.insert(token, alice);
  auto hit = cache.find(token, kNow + 1000, kLeeway);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->subject, "u_alice");
  EXPECT_EQ(hit->token_id, "jti-u_alice");
  EXPECT_EQ(hit->expires_at, alice.expires_at);
  // Any other byte string misses, even one differing only in its signature's last character,
  // a prefix, or the token with something appended.
  std::string altered = token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(cache.find(altered, kNow, kLeeway));
  EXPECT_FALSE(cache.find(token.substr(0, token.size() - 1), kNow, kLeeway));
  EXPECT_FALSE(cache.find(token + "A", kNow, kLeeway));
  EXPECT_FALSE(cache.find(token_of(claims_of("u_bob")), kNow, kLeeway));
}

TEST(VerifiedTokens, AnExpiredTokenIsAMissAndIsDropped) {
  VerifiedTokens cache;
  const JwtClaims alice = claims_of("u_alice");
  const std::string token = token_of(alice);
  cache.insert(token, alice);
  // exp + leeway is the first instant verify_jwt refuses ("token expired").
  EXPECT_TRUE(cache.find(token, alice.expires_at + kLeeway - 1, kLeeway));
  EXPECT_FALSE(cache.find(token, alice.expires_at + kLeeway, kLeeway));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find(token, kNow, kLeeway)) << "dropped, not kept for an earlier clock";
}

TEST(VerifiedTokens, StaysWithinItsCapacityAndKeepsWhatIsUsed) {
  VerifiedTokens cache(100);
  const JwtClaims keep = claims_of("u_keep");
  const std::string kept = token_of(keep);
  cache.insert(kept, keep);
  for (int i = 0; i < 1000; ++i) {
    const JwtClaims c = claims_of("u_" + std::to_string(i));
    cache.insert(token_of(c), c);
    EXPECT_LE(cache.size(), 100u);
    // A token in use (looked up between the others) survives every rotation.
    ASSERT_TRUE(cache.find(kept, kNow, kLeeway)) << "after " << i << " others";
  }
  // The oldest of the others are gone, the newest are held.
  EXPECT_FALSE(cache.find(token_of(claims_of("u_0")), kNow, kLeeway));
  EXPECT_TRUE(cache.find(token_of(claims_of("u_999")), kNow, kLeeway));
}

TEST(VerifiedTokens, InsertingTheSameTokenTwiceHoldsItOnce) {
  VerifiedTokens cache;
  const JwtClaims alice = claims_of("u_alice");
  const std::string token = token_of(alice);
  cache.insert(token, alice);
  cache.insert(token, alice);
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace todo::auth

// The sign-in policy (auth/sign_in_limiter.hpp) with an injected clock: an attacker is slowed
// per (account, address) with growing delays, the owner elsewhere is not; per-address and
// account-wide ceilings; memory bounded.
#include "auth/sign_in_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace todo {
namespace {

using std::chrono::seconds;
const SignInLimiter::Clock::time_point t0{std::chrono::hours(1000)};
const std::string kOwner = "owner@example.com";
const std::string kAttacker = "203.0.113.66";
const std::string kHome = "198.51.100.7";

// One wrong password from `address` at `now`: the wait it was told, or 0 when admitted.
int fail(SignInLimiter& l, const std::string& account, const std::string& address,
         SignInLimiter::Clock::time_point now) {
  int wait = l.admit(account, address, now);
  if (wait == 0) l.failed(account, address, now);
  return wait;
}

TEST(SignInLimiter, FourFreeFailuresThenGrowingDelaysForThatPairOnly) {
  SignInLimiter l;
  auto now = t0;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(fail(l, kOwner, kAttacker, now), 0) << i;
  // After the 5th failure: 1 s, then each failure doubles it (the attacker waits as told).
  std::vector<int> waits;
  for (int i = 0; i < 12; ++i) {
    int wait = l.admit(kOwner, kAttacker, now);
    ASSERT_GT(wait, 0);
    waits.push_back(wait);
    now += seconds(wait);
    ASSERT_EQ(fail(l, kOwner, kAttacker, now), 0) << "after waiting as told, one more try";
  }
  // Doubling from 1 s; later steps grow a little slower as failures are forgotten during the
  // long waits (one per 15 min); never beyond the 15-minute cap.
  EXPECT_EQ(std::vector<int>(waits.begin(), waits.begin() + 10),
            (std::vector<int>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}));
  for (std::size_t i = 1; i < waits.size(); ++i) EXPECT_GE(waits[i], waits[i - 1]);
  EXPECT_EQ(waits.back(), 900);
  // The owner from home is not slowed at all, and signs in.
  EXPECT_EQ(l.admit(kOwner, kHome, now), 0);
  l.succeeded(kOwner, kHome, now);
  // The attacker is still waiting.
  EXPECT_EQ(l.admit(kOwner, kAttacker, now), 900);
}

TEST(SignInLimiter, RightPasswordAfterFourFailuresIsAdmittedAndClearsTheRecord) {
  SignInLimiter l;
  for (int i = 0; i < 4; ++i) ASSERT_EQ(fail(l, kOwner, kHome, t0), 0);
  ASSERT_EQ(l.admit(kOwner, kHome, t0), 0);
  l.succeeded(kOwner, kHome, t0);
  // Cleared: four more free failures.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(fail(l, kOwner, kHome, t0), 0) << i;
  EXPECT_EQ(l.admit(kOwner, kHome, t0), 1);
}

TEST(SignInLimiter, ConcurrentGuessesCannotAllPassAsFree) {
  SignInLimiter l;
  // Ten attempts admitted before any of them is checked: only five get through.
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += l.admit(kOwner, kAttacker, t0) == 0;
  EXPECT_EQ(admitted, 5);
}

TEST(SignInLimiter, NotCheckedAttemptsAreGivenBack) {
  SignInLimiter l;
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(l.admit(kOwner, kHome, t0), 0) << i;
    l.not_checked(kOwner, kHome, t0);  // e.g. the CPU pool was full: 503
  }
}

TEST(SignInLimiter, FailuresAreForgottenOverTime) {
  SignInLimiter l;
  auto now = t0;
  for (int i = 0; i < 7; ++i) {  // seven failures, waiting as told between them
    int wait = l.admit(kOwner, kAttacker, now);
    if (wait > 0) {
      now += seconds(wait);
      wait = l.admit(kOwner, kAttacker, now);
    }
    ASSERT_EQ(wait, 0);
    l.failed(kOwner, kAttacker, now);
  }
  EXPECT_EQ(l.admit(kOwner, kAttacker, now + seconds(1)), 3)
      << "seven failures: 4 s after the last";
  // One failure forgotten per 15 min: 45 min later four are left, and they are free.
  EXPECT_EQ(l.admit(kOwner, kAttacker, now + std::chrono::minutes(45)), 0);
}

TEST(SignInLimiter, CredentialStuffingFromOneAddressHitsTheAddressLimit) {
  SignInLimiter l;
  // One guess per account, many accounts, one address: 30 at once, then one per minute.
  for (int i = 0; i < 30; ++i)
    ASSERT_EQ(fail(l, "user" + std::to_string(i) + "@example.com", kAttacker, t0), 0) << i;
  EXPECT_EQ(l.admit("next@example.com", kAttacker, t0), 60);
  EXPECT_EQ(l.admit("next@example.com", kAttacker, t0 + seconds(59)), 1);
  EXPECT_EQ(fail(l, "next@example.com", kAttacker, t0 + seconds(60)), 0);
  // Other addresses are not concerned.
  EXPECT_EQ(l.admit("user0@example.com", kHome, t0), 0);
}

TEST(SignInLimiter, SpreadAttackMeetsAGentleAccountCeilingThatNeverWaitsLong) {
  SignInLimiter l;
  // 50 addresses, one failure each, on one account.
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(fail(l, kOwner, "10.0.0." + std::to_string(i), t0), 0) << i;
  // The 51st address waits, but at most 10 s.
  int wait = l.admit(kOwner, "10.0.1.1", t0);
  EXPECT_GT(wait, 0);
  EXPECT_LE(wait, 10);
  EXPECT_EQ(l.admit(kOwner, "10.0.1.1", t0 + seconds(10)), 0);
}

TEST(SignInLimiter, TheOwnersKnownAddressIsExemptFromTheAccountCeiling) {
  SignInLimiter l;
  ASSERT_EQ(l.admit(kOwner, kHome, t0), 0);
  l.succeeded(kOwner, kHome, t0);
  auto later = t0 + seconds(3600);
  for (int i = 0; i < 200; ++i) fail(l, kOwner, "10.1." + std::to_string(i) + ".1", later);
  EXPECT_GT(l.admit(kOwner, "10.2.0.1", later), 0) << "a new address meets the ceiling";
  EXPECT_EQ(l.admit(kOwner, kHome, later), 0) << "the owner's address does not";
  l.succeeded(kOwner, kHome, later);
  // Known for 30 days from the latest success.
  auto much_later = later + std::chrono::hours(31 * 24);
  for (int i = 0; i < 200; ++i) fail(l, kOwner, "10.3." + std::to_string(i) + ".1", much_later);
  EXPECT_GT(l.admit(kOwner, kHome, much_later), 0) << "no longer known after 30 days";
}

TEST(SignInLimiter, MemoryIsBounded) {
  SignInLimiter::Policy policy;
  policy.max_keys = 1000;
  SignInLimiter l(policy);
  // Far more distinct accounts and addresses than the tables hold: no growth past the bound
  // (the process's memory is what would fail; here it simply must not crash or refuse).
  for (int i = 0; i < 20000; ++i)
    fail(l, "u" + std::to_string(i) + "@example.com",
         "10.9." + std::to_string(i % 250) + "." + std::to_string(i / 250), t0);
  // The latest keys are remembered.
  for (int i = 0; i < 4; ++i) fail(l, "u19999@example.com", "10.9.249.79", t0);
  EXPECT_GT(l.admit("u19999@example.com", "10.9.249.79", t0), 0);
}

}  // namespace
}  // namespace todo

// core/rate_limiter.hpp with an injected clock: the bucket rule, the backoff rule, decay,
// give-backs, the bound on keys and atomic acquire() across threads.
#include "core/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace todo {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
const RateLimiter::Clock::time_point t0{std::chrono::hours(1000)};

RateLimiter bucket(int burst, seconds refill, std::size_t max_keys = 1000) {
  return RateLimiter({.forget_every = refill, .burst = double(burst), .max_keys = max_keys});
}

TEST(RateLimiterBucket, BurstThenOnePerRefill) {
  auto limiter = bucket(3, seconds(60));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.acquire("a", t0), RateLimiter::Duration::zero());
  // The fourth waits for one token: 60 s.
  EXPECT_EQ(limiter.acquire("a", t0), seconds(60));
  EXPECT_EQ(limiter.wait("a", t0 + seconds(30)), seconds(30));
  EXPECT_EQ(limiter.acquire("a", t0 + seconds(60)), RateLimiter::Duration::zero());
  EXPECT_GT(limiter.acquire("a", t0 + seconds(61)), seconds(58));
  // Another key has its own bucket.
  EXPECT_EQ(limiter.acquire("b", t0), RateLimiter::Duration::zero());
}

TEST(RateLimiterBucket, RefusedAttemptsDoNotCount) {
  auto limiter = bucket(1, seconds(10));
  EXPECT_EQ(limiter.acquire("a", t0), RateLimiter::Duration::zero());
  for (int i = 0; i < 100; ++i) EXPECT_GT(limiter.acquire("a", t0), RateLimiter::Duration::zero());
  EXPECT_EQ(limiter.acquire("a", t0 + seconds(10)), RateLimiter::Duration::zero());
}

TEST(RateLimiterBucket, QuietKeysRefillCompletelyAndAreDropped) {
  auto limiter = bucket(5, seconds(1));
  for (int i = 0; i < 5; ++i) limiter.record("a", t0);
  EXPECT_NEAR(limiter.recent("a", t0 + milliseconds(2500)), 2.5, 1e-6);
  EXPECT_EQ(limiter.recent("a", t0 + seconds(6)), 0.0);
  EXPECT_EQ(limiter.size(), 0u) << "a key with nothing left to remember is dropped";
}

TEST(RateLimiterBucket, CancelGivesOneBack) {
  auto limiter = bucket(2, seconds(60));
  limiter.record("a", t0);
  limiter.record("a", t0);
  EXPECT_GT(limiter.wait("a", t0), RateLimiter::Duration::zero());
  limiter.cancel("a", t0);
  EXPECT_EQ(limiter.wait("a", t0), RateLimiter::Duration::zero());
  limiter.cancel("nobody", t0);  // nothing to give back: no effect, no entry
  EXPECT_EQ(limiter.size(), 1u);
}

RateLimiter backoff(int free, seconds base, seconds cap, seconds forget = seconds(15 * 60)) {
  return RateLimiter({.forget_every = forget,
                      .free_events = free,
                      .backoff_base = base,
                      .backoff_cap = cap,
                      .max_keys = 1000});
}

TEST(RateLimiterBackoff, FreeEventsThenDoublingDelaysUpToTheCap) {
  auto limiter = backoff(4, seconds(1), seconds(60));
  auto now = t0;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(limiter.wait("a", now), RateLimiter::Duration::zero()) << i;
    limiter.record("a", now);
  }
  // The 5th event is free too; from then on each one doubles the wait after it.
  EXPECT_EQ(limiter.wait("a", now), RateLimiter::Duration::zero());
  std::vector<long long> waits;
  for (int i = 0; i < 9; ++i) {
    limiter.record("a", now);
    const auto wait = limiter.wait("a", now);
    waits.push_back(std::chrono::duration_cast<milliseconds>(wait).count());
    now += wait;  // the client waits as told, then tries (and fails) again
  }
  // Decay during the waits makes the later counts slightly fractional: still rounded up.
  EXPECT_EQ(waits,
            (std::vector<long long>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000}));
}

TEST(RateLimiterBackoff, WaitRunsFromTheLatestEventAndTouchMovesIt) {
  auto limiter = backoff(0, seconds(10), seconds(100));
  limiter.record("a", t0);
  EXPECT_EQ(limiter.wait("a", t0 + seconds(4)), seconds(6));
  limiter.touch("a", t0 + seconds(5));  // e.g. the failure became known only now
  EXPECT_EQ(limiter.wait("a", t0 + seconds(5)), seconds(10));
  limiter.touch("unknown", t0);
  EXPECT_EQ(limiter.size(), 1u);
}

TEST(RateLimiterBackoff, DelaysShrinkAsEventsAreForgotten) {
  auto limiter = backoff(2, seconds(1), seconds(3600), minutes(15));
  for (int i = 0; i < 8; ++i) limiter.record("a", t0);
  // 8 recent events: 2^5 s after the last one.
  EXPECT_EQ(limiter.wait("a", t0), seconds(32));
  // An hour later 4 are forgotten: 4 recent events, 2 s after the last one: long over.
  EXPECT_EQ(limiter.wait("a", t0 + minutes(60)), RateLimiter::Duration::zero());
  limiter.record("a", t0 + minutes(60));
  EXPECT_EQ(limiter.wait("a", t0 + minutes(60)), seconds(4));
}

TEST(RateLimiterBackoff, HugeCountsStayAtTheCap) {
  auto limiter = backoff(0, seconds(1), seconds(900));
  for (int i = 0; i < 5000; ++i) limiter.record("a", t0);
  EXPECT_EQ(limiter.wait("a", t0), seconds(900));
}

TEST(RateLimiter, ForgetDropsTheKey) {
  auto limiter = backoff(0, seconds(1), seconds(900));
  for (int i = 0; i < 5; ++i) limiter.record("a", t0);
  limiter.forget("a");
  EXPECT_EQ(limiter.wait("a", t0), RateLimiter::Duration::zero());
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, MemoryIsBoundedByEvictingTheLeastRecentlyUsedKey) {
  auto limiter = bucket(1, seconds(3600), /*max_keys=*/100);
  limiter.record("keep", t0);
  for (int i = 0; i < 10000; ++i) {
    limiter.record("k" + std::to_string(i), t0);
    if (i % 50 == 0) limiter.record("keep", t0);  // used recently: survives
    ASSERT_LE(limiter.size(), 100u);
  }
  EXPECT_GT(limiter.wait("keep", t0), RateLimiter::Duration::zero());
  EXPECT_EQ(limiter.wait("k0", t0), RateLimiter::Duration::zero()) << "evicted long ago";
  EXPECT_GT(limiter.wait("k9999", t0), RateLimiter::Duration::zero());
}

TEST(RateLimiter, AcquireIsAtomicAcrossThreads) {
  auto limiter = bucket(50, seconds(3600));
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (limiter.acquire("shared", t0) == RateLimiter::Duration::zero()) ++admitted;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 50);
}

TEST(RetryAfterSeconds, RoundsUpToWholeSecondsAtLeastOne) {
  EXPECT_EQ(retry_after_seconds(milliseconds(1)), 1);
  EXPECT_EQ(retry_after_seconds(RateLimiter::Duration::zero()), 1);
  EXPECT_EQ(retry_after_seconds(milliseconds(1001)), 2);
  EXPECT_EQ(retry_after_seconds(seconds(900)), 900);
}

}  // namespace
}  // namespace todo

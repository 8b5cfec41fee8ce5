// GatherPolicy (bus/gather_policy.hpp): the relay's wait after a wake-up follows the rate at
// which a target's events arrive, between its floor and its ceiling.
#include "bus/gather_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace todo::bus {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = GatherPolicy::Clock;

// `batches` batches of `events` each, `interval` apart, starting at `t` (which it advances).
void feed(GatherPolicy& policy, Clock::time_point& t, int batches, std::size_t events,
          microseconds interval) {
  for (int i = 0; i < batches; ++i) {
    t += interval;
    policy.observe(events, t);
  }
}

// A relay target's policy (floor 1 ms, ceiling 10 ms) after its first, empty read at `t`.
GatherPolicy started_at(Clock::time_point t) {
  GatherPolicy policy(milliseconds(1), milliseconds(10));
  policy.observe(0, t);
  return policy;
}

TEST(GatherPolicy, WaitsTheFloorBeforeItKnowsARate) {
  GatherPolicy policy(milliseconds(1), milliseconds(10));
  EXPECT_EQ(policy.wait(), milliseconds(1));
  policy.observe(400, Clock::now());  // one batch: no interval yet
  EXPECT_EQ(policy.wait(), milliseconds(1));
}

TEST(GatherPolicy, SlowEventsKeepTheFloor) {
  // 1 000 events/s, the audit's lag benchmark: the wait stays at 1 ms.
  auto t = Clock::now();
  GatherPolicy policy = started_at(t);
  feed(policy, t, 20, 2, milliseconds(2));
  EXPECT_NEAR(policy.rate_per_ms(), 1.0, 1e-9);
  EXPECT_EQ(policy.wait(), milliseconds(1));
  feed(policy, t, 20, 1, milliseconds(5));  // 200/s
  EXPECT_EQ(policy.wait(), milliseconds(1));
}

TEST(GatherPolicy, TheWaitGrowsWithTheRateUpToTheCeiling) {
  auto t = Clock::now();
  GatherPolicy policy = started_at(t);
  feed(policy, t, 20, 12, milliseconds(4));  // 3 events per ms
  EXPECT_NEAR(policy.wait().count(), 3000, 30);
  feed(policy, t, 20, 60, milliseconds(12));  // 5 per ms
  EXPECT_NEAR(policy.wait().count(), 5000, 30);
  feed(policy, t, 20, 400, milliseconds(20));  // 20 per ms: capped
  EXPECT_EQ(policy.wait(), milliseconds(10));
}

TEST(GatherPolicy, TheRateDoesNotDependOnTheIntervalsTheWaitMakes) {
  // The same 4 events/ms taken in small batches often or large batches rarely: same wait, so
  // a longer wait (larger batches) does not feed back into an even longer one.
  auto t1 = Clock::now();
  auto t2 = t1;
  GatherPolicy often = started_at(t1);
  GatherPolicy rarely = started_at(t2);
  feed(often, t1, 50, 8, milliseconds(2));
  feed(rarely, t2, 10, 40, milliseconds(10));
  EXPECT_NEAR(often.wait().count(), 4000, 30);
  EXPECT_NEAR(rarely.wait().count(), 4000, 30);
}

TEST(GatherPolicy, ABurstIsForgottenWithinAFewBatches) {
  auto t = Clock::now();
  GatherPolicy policy = started_at(t);
  feed(policy, t, 20, 200, milliseconds(10));  // 20 per ms
  ASSERT_EQ(policy.wait(), milliseconds(10));
  // Quiet again: one event after a second. The events after it must not wait the burst's
  // 10 ms.
  feed(policy, t, 1, 1, milliseconds(1000));
  EXPECT_EQ(policy.wait(), milliseconds(1));
}

TEST(GatherPolicy, AfterAQuietSpellOneQuickBatchDoesNotSetTheCeiling) {
  // The relay's idle re-check reads nothing after 5 s: the estimate falls to 0. The next batch
  // (30 events 3 ms later) is one short interval among others, not the whole truth.
  auto t = Clock::now();
  GatherPolicy policy = started_at(t);
  feed(policy, t, 1, 0, milliseconds(5000));
  ASSERT_EQ(policy.rate_per_ms(), 0);
  feed(policy, t, 1, 30, milliseconds(3));
  EXPECT_LT(policy.wait(), milliseconds(2));
  feed(policy, t, 40, 30, milliseconds(3));  // it lasts (120 ms at 10 per ms): the ceiling
  EXPECT_NEAR(policy.wait().count(), 10000, 100);
}

TEST(GatherPolicy, EmptyReadsLowerTheRate) {
  auto t = Clock::now();
  GatherPolicy policy = started_at(t);
  feed(policy, t, 10, 80, milliseconds(10));  // 8 per ms
  ASSERT_EQ(policy.wait(), milliseconds(8));
  feed(policy, t, 1, 0, milliseconds(10));  // one empty read: lower, not forgotten
  EXPECT_LT(policy.wait(), milliseconds(8));
  EXPECT_GT(policy.wait(), milliseconds(2));
  feed(policy, t, 5, 0, milliseconds(10));  // 60 ms without events
  EXPECT_EQ(policy.wait(), milliseconds(1));
}

TEST(GatherPolicy, TakesWithinTheSameMicrosecondAreNotARate) {
  auto t = Clock::now();
  GatherPolicy policy = started_at(t);
  policy.observe(500, t);  // no time between: not an infinite rate
  EXPECT_EQ(policy.wait(), milliseconds(1));
  EXPECT_EQ(policy.rate_per_ms(), 0);
}

TEST(GatherPolicy, AFixedWaitWhenFloorAndCeilingAgree) {
  GatherPolicy policy(milliseconds(25), milliseconds(25));
  auto t = Clock::now();
  policy.observe(0, t);
  feed(policy, t, 10, 1000, milliseconds(1));
  EXPECT_EQ(policy.wait(), milliseconds(25));
}

TEST(GatherPolicy, RefusesACeilingBelowTheFloor) {
  EXPECT_THROW(GatherPolicy(milliseconds(5), milliseconds(1)), std::invalid_argument);
  EXPECT_THROW(GatherPolicy(microseconds(-1), milliseconds(1)), std::invalid_argument);
}

}  // namespace
}  // namespace todo::bus

#include "webhooks/retry_policy.hpp"

#include <gtest/gtest.h>

namespace todo::webhooks {
namespace {

TEST(RetryPolicy, ScheduleOfAboutADayThenDead) {
  const Millis expected[] = {5'000,      300'000,    1'800'000, 7'200'000,
                             18'000'000, 36'000'000, 36'000'000};
  Millis total = 0;
  for (int i = 1; i <= 7; ++i) {
    auto d = retry_delay(i, 1.0, 0.5);  // jitter 0.5: the middle, no spread
    ASSERT_TRUE(d) << i;
    EXPECT_EQ(*d, expected[i - 1]) << i;
    total += *d;
  }
  EXPECT_GT(total, 24 * 3'600'000LL);
  EXPECT_LT(total, 30 * 3'600'000LL);
  EXPECT_FALSE(retry_delay(8, 1.0, 0.5));
  EXPECT_FALSE(retry_delay(0, 1.0, 0.5));
}

TEST(RetryPolicy, JitterSpreadsTenPercentAndScaleShrinks) {
  EXPECT_EQ(*retry_delay(2, 1.0, 0.0), 270'000);
  EXPECT_EQ(*retry_delay(2, 1.0, 0.999999), 329'999);
  EXPECT_EQ(*retry_delay(1, 0.001, 0.5), 5);
  EXPECT_EQ(*retry_delay(1, 0.00001, 0.5), 1);  // never 0
}

TEST(RetryPolicy, Verdicts) {
  EXPECT_EQ(classify_attempt(200, Outcome::done), Verdict::succeeded);
  EXPECT_EQ(classify_attempt(204, Outcome::done), Verdict::succeeded);
  // A 2xx whose body went over the cap: the client gave up reading, the delivery succeeded.
  EXPECT_EQ(classify_attempt(200, Outcome::give_up), Verdict::succeeded);
  EXPECT_EQ(classify_attempt(410, Outcome::give_up), Verdict::gone);
  EXPECT_EQ(classify_attempt(429, Outcome::retry_later), Verdict::retry);
  EXPECT_EQ(classify_attempt(500, Outcome::retry_later), Verdict::retry);
  EXPECT_EQ(classify_attempt(503, Outcome::retry_later), Verdict::retry);
  EXPECT_EQ(classify_attempt(302, Outcome::give_up), Verdict::failed);  // never followed
  EXPECT_EQ(classify_attempt(400, Outcome::give_up), Verdict::failed);
  EXPECT_EQ(classify_attempt(404, Outcome::give_up), Verdict::failed);
  EXPECT_EQ(classify_attempt(0, Outcome::retry_later), Verdict::retry);  // timeout, refused
  EXPECT_EQ(classify_attempt(0, Outcome::give_up), Verdict::failed);     // TLS verification
}

}  // namespace
}  // namespace todo::webhooks

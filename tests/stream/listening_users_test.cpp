// Who listened lately, in memory (stream/listening_users.hpp): what the SQLite stream
// consumer's wants() asks, so a user who never opens the app costs nothing there.
#include <gtest/gtest.h>

#include "stream/listening_users.hpp"

namespace todo::stream {
namespace {

constexpr Millis kNow = 1'769'767'200'000;
constexpr auto kWindow = std::chrono::minutes(5);
constexpr Millis kKeep = 6 * 60'000;  // the window and a minute

TEST(ListeningUsers, BeforeLoadingEveryUserMayBeListening) {
  ListeningUsers users(kWindow);
  EXPECT_TRUE(users.maybe_listening("anyone", kNow));
  users.load({});
  EXPECT_FALSE(users.maybe_listening("anyone", kNow));
}

TEST(ListeningUsers, LoadedAndMarkedUsersListenUntilTheirMarkIsTooOld) {
  ListeningUsers users(kWindow);
  users.load({{"loaded", kNow - 1000}});
  users.listened("marked", kNow);
  EXPECT_TRUE(users.maybe_listening("loaded", kNow));
  EXPECT_TRUE(users.maybe_listening("marked", kNow + kKeep));
  EXPECT_FALSE(users.maybe_listening("marked", kNow + kKeep + 1));
  EXPECT_FALSE(users.maybe_listening("other", kNow));
  // An older mark never moves a newer one back.
  users.listened("marked", kNow - 60'000);
  EXPECT_TRUE(users.maybe_listening("marked", kNow + kKeep));
}

TEST(ListeningUsers, ForgettingDropsOnlyMarksTooOldToMatter) {
  ListeningUsers users(kWindow);
  users.load({{"old", kNow - kKeep - 1}, {"recent", kNow - 1000}});
  users.forget_before(kNow);
  EXPECT_FALSE(users.maybe_listening("old", kNow - kKeep));  // gone, whatever the time
  EXPECT_TRUE(users.maybe_listening("recent", kNow));
}

}  // namespace
}  // namespace todo::stream

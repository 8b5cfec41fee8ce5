#include "tasks/list_cache.hpp"

#include <gtest/gtest.h>

namespace todo {
namespace {

TEST(ListCache, ServesAStoredBodyUntilTheUserWrites) {
  ListCache cache(1 << 20);
  auto g = cache.generation("u1");
  EXPECT_FALSE(cache.find("u1", "limit=50", g));
  cache.store("u1", "limit=50", g, "body-1");
  EXPECT_EQ(cache.find("u1", "limit=50", g), "body-1");
  EXPECT_FALSE(cache.find("u1", "limit=10", g));
  cache.bump("u1");
  auto g2 = cache.generation("u1");
  EXPECT_NE(g, g2);
  EXPECT_FALSE(cache.find("u1", "limit=50", g2));
}

TEST(ListCache, ABodyReadBeforeACommitIsNeverStoredAfterIt) {
  ListCache cache(1 << 20);
  auto g = cache.generation("u1");  // the read starts
  cache.bump("u1");                 // a write commits meanwhile
  cache.store("u1", "q", g, "stale");
  EXPECT_FALSE(cache.find("u1", "q", cache.generation("u1")));
  EXPECT_FALSE(cache.find("u1", "q", g));
}

TEST(ListCache, UsersAreIndependent) {
  ListCache cache(1 << 20);
  auto a = cache.generation("a");
  auto b = cache.generation("b");
  cache.store("a", "q", a, "A");
  cache.store("b", "q", b, "B");
  cache.bump("a");
  EXPECT_EQ(cache.find("b", "q", b), "B");
  EXPECT_FALSE(cache.find("a", "q", cache.generation("a")));
}

TEST(ListCache, StaysWithinItsByteBudget) {
  ListCache cache(64 * 1024);
  for (int u = 0; u < 100; ++u) {
    std::string user = "u" + std::to_string(u);
    auto g = cache.generation(user);
    cache.store(user, "q", g, std::string(4000, 'x'));
    EXPECT_LE(cache.bytes(), 64u * 1024);
  }
  // The most recent user's body survives eviction.
  EXPECT_TRUE(cache.find("u99", "q", cache.generation("u99")));
}

}  // namespace
}  // namespace todo

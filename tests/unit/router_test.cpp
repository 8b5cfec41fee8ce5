#include "http/router.hpp"

#include <gtest/gtest.h>

namespace todo::http {
namespace {

using beast_http::verb;

// Handlers are never called here: matching is what is tested.
Handler noop() {
  return [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add(verb::get, "/api/{user_id}/tasks", noop());
    router.add(verb::post, "/api/{user_id}/tasks", noop());
    router.add(verb::get, "/api/{user_id}/tasks/{id}", noop());
    router.add(verb::get, "/api/auth/session", noop());
    router.add(verb::get, "/healthz", noop());
  }
  Router router;
};

TEST_F(RouterTest, ParamsAndLiterals) {
  auto m = router.match(verb::get, "/api/u_1/tasks/42");
  ASSERT_TRUE(m && m->handler);
  EXPECT_EQ(m->route, "/api/{user_id}/tasks/{id}");
  EXPECT_EQ(m->params.at("user_id"), "u_1");
  EXPECT_EQ(m->params.at("id"), "42");
  auto literal = router.match(verb::get, "/api/auth/session");
  ASSERT_TRUE(literal && literal->handler);
  EXPECT_EQ(literal->route, "/api/auth/session");
}

TEST_F(RouterTest, WithoutFallbackUnknownPathsAreNotFound) {
  EXPECT_FALSE(router.match(verb::get, "/"));
  EXPECT_FALSE(router.match(verb::get, "/tasks"));
  EXPECT_FALSE(router.match(verb::get, "/api/u_1/tasks/"));
}

TEST_F(RouterTest, KnownPathOtherMethodIs405) {
  auto m = router.match(verb::delete_, "/api/u_1/tasks");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->handler, nullptr);
  EXPECT_EQ(m->allowed, "GET, HEAD, POST");
}

// RFC 9110 §9.3.2: HEAD is GET without the body; a path's own HEAD route wins.
TEST_F(RouterTest, HeadUsesTheGetRoute) {
  auto m = router.match(verb::head, "/api/u_1/tasks/42");
  ASSERT_TRUE(m && m->handler);
  EXPECT_EQ(m->route, "/api/{user_id}/tasks/{id}");
  EXPECT_EQ(m->params.at("id"), "42");
  router.add(verb::post, "/only-post", noop());
  auto post_only = router.match(verb::head, "/only-post");
  ASSERT_TRUE(post_only);
  EXPECT_EQ(post_only->handler, nullptr);
  EXPECT_EQ(post_only->allowed, "POST");
}

// RFC 9110 §9.1: a method no resource has is 501; one that some resource has is 405.
TEST_F(RouterTest, ImplementedMethods) {
  EXPECT_TRUE(router.implements(verb::get));
  EXPECT_TRUE(router.implements(verb::head));
  EXPECT_TRUE(router.implements(verb::post));
  EXPECT_FALSE(router.implements(verb::delete_));
  EXPECT_FALSE(router.implements(verb::propfind));
  EXPECT_FALSE(router.implements(verb::unknown));
}

TEST_F(RouterTest, FallbackTakesUnknownPathsForItsMethodsOnly) {
  router.set_fallback({verb::get, verb::head}, "ui", noop());
  for (auto path : {"/", "/tasks", "/tasks/", "/_next/static/chunks/a.js", "/api/nope"}) {
    auto m = router.match(verb::get, path);
    ASSERT_TRUE(m && m->handler) << path;
    EXPECT_EQ(m->route, "ui") << path;
    EXPECT_TRUE(m->params.empty());
    auto head = router.match(verb::head, path);
    ASSERT_TRUE(head && head->handler) << path;
  }
  // Other methods on unknown paths stay 404.
  EXPECT_FALSE(router.match(verb::post, "/tasks"));
  EXPECT_FALSE(router.match(verb::delete_, "/"));
}

TEST_F(RouterTest, FallbackNeverShadowsRoutes) {
  router.set_fallback({verb::get, verb::head}, "ui", noop());
  auto m = router.match(verb::get, "/healthz");
  ASSERT_TRUE(m && m->handler);
  EXPECT_EQ(m->route, "/healthz");
  auto task = router.match(verb::get, "/api/u_1/tasks/7");
  ASSERT_TRUE(task && task->handler);
  EXPECT_EQ(task->route, "/api/{user_id}/tasks/{id}");
  // A known path without GET/HEAD is still a 405, not a page.
  router.add(verb::post, "/api/auth/sign-out", noop());
  auto signout = router.match(verb::get, "/api/auth/sign-out");
  ASSERT_TRUE(signout);
  EXPECT_EQ(signout->handler, nullptr);
  EXPECT_EQ(signout->allowed, "POST");
}

}  // namespace
}  // namespace todo::http

// Request::resolve (CURLOPT_RESOLVE): a pinned address is used instead of DNS — how webhooks
// connect to exactly the address their SSRF check approved.
#include <gtest/gtest.h>

#include <chrono>

#include "net/http_client.hpp"
#include "test_server.hpp"

namespace todo::net {
namespace {

using namespace std::chrono_literals;

TEST(HttpClientResolve, APinnedNameReachesThePinnedAddressWithoutDns) {
  test::TestServer server([](const test::SeenRequest&) { return test::Reply{.status = 200}; });
  const std::string port = std::to_string(server.port());
  HttpClient client;
  Request pinned;
  // .invalid never resolves (RFC 6761): only the pin can make this name reachable.
  pinned.url = "http://hooks.invalid:" + port + "/hook";
  pinned.timeout = 20s;
  pinned.resolve = {"hooks.invalid:" + port + ":127.0.0.1"};
  Response r = client.send_and_wait(pinned);
  EXPECT_EQ(r.outcome, Outcome::done) << r.reason;
  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen().at(0).target, "/hook");

  Request unpinned = pinned;
  unpinned.resolve.clear();
  unpinned.url = "http://other.invalid:" + port + "/hook";
  Response refused = client.send_and_wait(unpinned);
  EXPECT_NE(refused.outcome, Outcome::done) << refused.reason;
  EXPECT_EQ(server.seen().size(), 1u);
}

TEST(HttpClientResolve, AnEntryWithALineBreakIsRefusedBeforeSending) {
  test::TestServer server([](const test::SeenRequest&) { return test::Reply{.status = 200}; });
  HttpClient client;
  Request r;
  r.url = server.url("/");
  r.resolve = {"a:80:127.0.0.1\nb:80:10.0.0.1"};
  Response answer = client.send_and_wait(r);
  EXPECT_EQ(answer.outcome, Outcome::give_up) << answer.reason;
  EXPECT_TRUE(server.seen().empty());
}

}  // namespace
}  // namespace todo::net

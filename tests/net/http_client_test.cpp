// HttpClient against local servers on 127.0.0.1: the outcome of each kind of answer (or of no
// answer), redirects, the body cap, methods and headers, connection reuse.
#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "test_server.hpp"

namespace todo::net {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::SeenRequest;
using test::TestServer;

Request get(std::string url) {
  Request r;
  r.url = std::move(url);
  r.timeout = 20s;  // generous: a busy machine must not turn an answer into a timeout
  return r;
}

TestServer::Handler answer(int status, std::string body = {},
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  return [=](const SeenRequest&) {
    Reply r;
    r.status = status;
    r.body = body;
    r.headers = headers;
    return r;
  };
}

TEST(HttpClient, TwoHundredFourIsDone) {
  TestServer server(answer(204));
  HttpClient client;
  Response r = client.send_and_wait(get(server.url("/v1.0/publish/pubsub/topic")));
  EXPECT_EQ(r.outcome, Outcome::done) << r.reason;
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(server.seen().at(0).target, "/v1.0/publish/pubsub/topic");
}

TEST(HttpClient, ConnectionRefusedIsRetryLaterWithoutStatus) {
  test::RefusingPort closed;
  HttpClient client;
  Response r = client.send_and_wait(get("http://127.0.0.1:" + std::to_string(closed.port()) + "/"));
  EXPECT_EQ(r.outcome, Outcome::retry_later) << r.reason;
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.reason.empty());
}

TEST(HttpClient, ServerThatNeverAnswersTimesOutAsRetryLater) {
  TestServer server([](const SeenRequest&) { return Reply{.hang = true}; });
  HttpClient client;
  Request req = get(server.url());
  req.timeout = 300ms;
  Response r = client.send_and_wait(std::move(req));
  EXPECT_EQ(r.outcome, Outcome::retry_later) << r.reason;
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.reason.find("timed out"), std::string::npos) << r.reason;
}

TEST(HttpClient, ServerErrorsAndThrottlingAreRetryLater) {
  for (int status : {500, 502, 503, 429, 408}) {
    TestServer server(answer(status, "try again"));
    HttpClient client;
    Response r = client.send_and_wait(get(server.url()));
    EXPECT_EQ(r.outcome, Outcome::retry_later) << status << ": " << r.reason;
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.body, "try again");
  }
}

TEST(HttpClient, RetryAfterOfA503IsReadable) {
  TestServer server(answer(503, "", {{"Retry-After", "7"}}));
  HttpClient client;
  Response r = client.send_and_wait(get(server.url()));
  EXPECT_EQ(r.outcome, Outcome::retry_later);
  ASSERT_TRUE(r.header("retry-after").has_value());  // names compare case-insensitively
  EXPECT_EQ(*r.header("retry-after"), "7");
  EXPECT_EQ(r.retry_after(), std::chrono::seconds(7));
}

TEST(HttpClient, ClientErrorsAreGiveUpWithStatusAndBody) {
  for (int status : {400, 401, 403, 404, 422}) {
    TestServer server(answer(status, "no such pubsub"));
    HttpClient client;
    Response r = client.send_and_wait(get(server.url()));
    EXPECT_EQ(r.outcome, Outcome::give_up) << status << ": " << r.reason;
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.body, "no such pubsub");  // a caller may classify a 404 its own way
  }
}

TEST(HttpClient, RedirectIsNotFollowedUnlessAsked) {
  TestServer target(answer(200, "moved here"));
  TestServer origin(answer(302, "", {{"Location", target.url("/new")}}));
  HttpClient client;

  Response not_followed = client.send_and_wait(get(origin.url("/old")));
  EXPECT_EQ(not_followed.outcome, Outcome::give_up);
  EXPECT_EQ(not_followed.status, 302);
  EXPECT_EQ(not_followed.reason, "redirect not followed: Location " + target.url("/new"));
  EXPECT_EQ(target.requests(), 0);

  Request req = get(origin.url("/old"));
  req.max_redirects = 3;
  Response followed = client.send_and_wait(std::move(req));
  EXPECT_EQ(followed.outcome, Outcome::done) << followed.reason;
  EXPECT_EQ(followed.status, 200);
  EXPECT_EQ(followed.body, "moved here");
  EXPECT_EQ(target.requests(), 1);
}

TEST(HttpClient, FollowedRedirectsAreBounded) {
  std::string self;
  TestServer loop([&](const SeenRequest&) {
    return Reply{.status = 302, .headers = {{"Location", self}}};
  });
  self = loop.url("/again");
  HttpClient client;
  Request req = get(loop.url("/start"));
  req.max_redirects = 2;
  Response r = client.send_and_wait(std::move(req));
  EXPECT_EQ(r.outcome, Outcome::give_up);
  EXPECT_NE(r.reason.find("too many redirects"), std::string::npos) << r.reason;
  EXPECT_EQ(loop.requests(), 3);  // the first request and two redirects
}

TEST(HttpClient, ResponseOverTheCapIsRefused) {
  for (bool chunked : {false, true}) {  // announced by Content-Length, or only counted
    TestServer server([&](const SeenRequest&) {
      return Reply{.body = std::string(64 * 1024, 'x'), .chunked = chunked};
    });
    HttpClient client(HttpClientOptions{.max_response_bytes = 1024});
    Response r = client.send_and_wait(get(server.url()));
    EXPECT_EQ(r.outcome, Outcome::give_up) << "chunked=" << chunked;
    EXPECT_EQ(r.reason, "response too large (over 1024 bytes)");
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(HttpClient, BodyAtTheCapIsAccepted) {
  TestServer server(answer(200, std::string(1024, 'x')));
  HttpClient client(HttpClientOptions{.max_response_bytes = 1024});
  Response r = client.send_and_wait(get(server.url()));
  EXPECT_EQ(r.outcome, Outcome::done) << r.reason;
  EXPECT_EQ(r.body.size(), 1024u);
}

TEST(HttpClient, SendsMethodHeadersAndBody) {
  TestServer server(answer(200));
  HttpClient client;
  for (Method m : {Method::post, Method::put, Method::patch, Method::del}) {
    Request req = get(server.url("/things/1"));
    req.method = m;
    req.headers = {{"Content-Type", "application/json"}, {"dapr-api-token", "s3cret"}};
    req.body = R"({"a":1})";
    Response r = client.send_and_wait(std::move(req));
    EXPECT_EQ(r.outcome, Outcome::done) << to_string(m) << ": " << r.reason;
    SeenRequest seen = server.seen().back();
    EXPECT_EQ(seen.method, to_string(m));
    EXPECT_EQ(seen.body, R"({"a":1})");
    EXPECT_EQ(seen.headers["content-type"], "application/json");
    EXPECT_EQ(seen.headers["dapr-api-token"], "s3cret");
    EXPECT_EQ(seen.headers.count("expect"), 0u);
  }
  Request empty_post = get(server.url());
  empty_post.method = Method::post;
  EXPECT_EQ(client.send_and_wait(std::move(empty_post)).outcome, Outcome::done);
  EXPECT_EQ(server.seen().back().headers["content-length"], "0");
  Request plain_get = get(server.url());
  EXPECT_EQ(client.send_and_wait(std::move(plain_get)).outcome, Outcome::done);
  EXPECT_EQ(server.seen().back().method, "GET");
}

TEST(HttpClient, HeaderWithLineBreakIsRefusedBeforeSending) {
  TestServer server(answer(200));
  HttpClient client;
  Request req = get(server.url());
  req.headers = {{"X-Note", "a\r\nX-Injected: 1"}};
  Response r = client.send_and_wait(std::move(req));
  EXPECT_EQ(r.outcome, Outcome::give_up);
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClient, OnlyHttpAndHttpsAreAllowed) {
  HttpClient client;
  Response r = client.send_and_wait(get("file:///etc/passwd"));
  EXPECT_EQ(r.outcome, Outcome::give_up);
  EXPECT_TRUE(r.body.empty());
}

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  TestServer server(answer(200, "hi"));
  HttpClient client;
  EXPECT_EQ(client.send_and_wait(get(server.url("/1"))).outcome, Outcome::done);
  EXPECT_EQ(client.send_and_wait(get(server.url("/2"))).outcome, Outcome::done);
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.accepted(), 1);
}

// A server closes an idle kept-alive connection when its keep-alive timeout strikes, and the
// client may be writing its next request on it at that moment. libcurl sees the connection
// dead before reuse, or retries on a fresh one a request whose reused connection ended before
// any answer byte (its "Connection died, retrying a fresh connect"): the call succeeds, body
// included, and the server saw each request once.
TEST(HttpClient, AConnectionTheServerClosedAfterAnsweringIsNotReusedAndTheNextCallSucceeds) {
  TestServer server([](const SeenRequest&) {
    Reply reply;
    reply.body = "ok";
    reply.close_after = true;
    return reply;
  });
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    Request req = get(server.url("/hook"));
    req.method = Method::post;
    req.body = R"({"n":)" + std::to_string(i) + "}";
    Response r = client.send_and_wait(std::move(req));
    EXPECT_EQ(r.outcome, Outcome::done) << i << ": " << r.reason;
    EXPECT_EQ(r.body, "ok");
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.accepted(), 3);
  ASSERT_EQ(server.seen().size(), 3U);
  EXPECT_EQ(server.seen()[2].body, R"({"n":2})");
}

}  // namespace
}  // namespace todo::net

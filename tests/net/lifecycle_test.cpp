// HttpClient's threads and lifecycle: callbacks on the worker thread, the bounded queue,
// stop() with requests in flight, calls after stop(), a throwing callback.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "net/http_client.hpp"
#include "test_server.hpp"

namespace todo::net {
namespace {

using namespace std::chrono_literals;
using test::Reply;
using test::SeenRequest;
using test::TestServer;

// Results collected from callbacks on the worker thread.
struct Collected {
  std::mutex mutex;
  std::vector<Response> responses;
  std::vector<std::thread::id> threads;

  HttpClient::Callback callback() {
    return [this](Response r) {
      std::lock_guard lock(mutex);
      responses.push_back(std::move(r));
      threads.push_back(std::this_thread::get_id());
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return responses.size();
  }
};

Request slow_get(const TestServer& server) {
  Request r;
  r.url = server.url();
  r.timeout = std::chrono::hours(1);  // only stop() can end these
  return r;
}

TestServer::Handler never_answer() {
  return [](const SeenRequest&) { return Reply{.hang = true}; };
}

TEST(HttpClientLifecycle, CallbackRunsOnTheWorkerThreadNotTheCaller) {
  TestServer server([](const SeenRequest&) { return Reply{.body = "ok"}; });
  Collected got;  // outlives the client, whose destructor still calls back
  HttpClient client;
  Request req;
  req.url = server.url();
  client.send(std::move(req), got.callback());
  ASSERT_TRUE(test::wait_until([&] { return got.size() == 1; }));
  EXPECT_EQ(got.responses[0].outcome, Outcome::done);
  EXPECT_EQ(got.responses[0].body, "ok");
  EXPECT_NE(got.threads[0], std::this_thread::get_id());
}

TEST(HttpClientLifecycle, FullQueueCompletesAtOnceWithRetryLater) {
  TestServer server(never_answer());
  Collected got;  // outlives the client, whose destructor still calls back
  HttpClient client(HttpClientOptions{.max_queue = 2});
  client.send(slow_get(server), got.callback());
  client.send(slow_get(server), got.callback());
  bool called = false;
  Response refused;
  client.send(slow_get(server), [&](Response r) {
    called = true;
    refused = std::move(r);
  });
  ASSERT_TRUE(called);  // before send() returned, on this thread
  EXPECT_EQ(refused.outcome, Outcome::retry_later);
  EXPECT_EQ(refused.reason, "client queue full");
  EXPECT_EQ(refused.status, 0);
  EXPECT_EQ(got.size(), 0u);
}

TEST(HttpClientLifecycle, StopCancelsInFlightAndQueuedRequestsWithRetryLater) {
  TestServer server(never_answer());
  // Two connections per host: two requests reach the server, the third waits inside curl.
  Collected got;
  HttpClient client(HttpClientOptions{.max_connections_per_host = 2});
  for (int i = 0; i < 3; ++i) client.send(slow_get(server), got.callback());
  ASSERT_TRUE(test::wait_until([&] { return server.requests() == 2; }));

  client.stop();  // the requests' hour-long timeouts: returning at all proves cancellation
  ASSERT_EQ(got.size(), 3u);  // every callback ran before stop() returned
  for (const Response& r : got.responses) {
    EXPECT_EQ(r.outcome, Outcome::retry_later);
    EXPECT_EQ(r.reason, "client stopping");
  }

  bool called = false;
  client.send(slow_get(server), [&](Response r) {
    called = true;
    EXPECT_EQ(r.outcome, Outcome::retry_later);
    EXPECT_EQ(r.reason, "client stopping");
  });
  EXPECT_TRUE(called);
  client.stop();  // idempotent
}

TEST(HttpClientLifecycle, DestructorCancelsOutstandingRequests) {
  TestServer server(never_answer());
  Collected got;
  {
    HttpClient client;
    client.send(slow_get(server), got.callback());
    ASSERT_TRUE(test::wait_until([&] { return server.requests() == 1; }));
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.responses[0].reason, "client stopping");
}

TEST(HttpClientLifecycle, ThrowingCallbackDoesNotStopTheWorker) {
  TestServer server([](const SeenRequest&) { return Reply{}; });
  HttpClient client;
  Request first;
  first.url = server.url();
  client.send(std::move(first), [](Response) { throw std::runtime_error("caller bug"); });
  Request second;
  second.url = server.url();
  EXPECT_EQ(client.send_and_wait(std::move(second)).outcome, Outcome::done);
}

TEST(HttpClientLifecycle, SendAndWaitFromACallbackRefusesInsteadOfDeadlocking) {
  TestServer server([](const SeenRequest&) { return Reply{}; });
  HttpClient client;
  std::promise<Response> inner;
  auto answered = inner.get_future();
  Request outer;
  outer.url = server.url();
  client.send(std::move(outer), [&](Response) {
    Request again;
    again.url = server.url();
    inner.set_value(client.send_and_wait(std::move(again)));
  });
  ASSERT_EQ(answered.wait_for(20s), std::future_status::ready);
  EXPECT_EQ(answered.get().outcome, Outcome::give_up);
  EXPECT_EQ(server.requests(), 1);
}

}  // namespace
}  // namespace todo::net

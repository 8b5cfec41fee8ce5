// The coroutine adapter: the caller's executor is never blocked while a request is
// outstanding, and the coroutine resumes on that executor, not on the client's thread.
#include "net/co_send.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <thread>

#include "test_server.hpp"

namespace todo::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::Reply;
using test::SeenRequest;
using test::TestServer;

TEST(CoSend, NeverBlocksTheIoThreadAndResumesOnIt) {
  // The server answers only after a timer on the caller's io_context fired three times
  // while the request was outstanding: had co_send blocked that thread, the timer could not
  // fire, and the request would end in its timeout (retry_later) instead.
  asio::io_context io;  // first: destroyed after the client's worker, which posts to it, joined
  std::atomic<bool> release{false};
  TestServer server([&](const SeenRequest&) {
    return Reply{.body = "slow answer", .ready = [&] { return release.load(); }};
  });
  HttpClient client;
  int ticks = 0;
  bool finished = false;
  Response got;
  std::thread::id resumed_on;
  bool in_io_context = false;

  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        while (!finished) {
          timer.expires_after(5ms);
          co_await timer.async_wait(asio::use_awaitable);
          if (++ticks == 3) release = true;
        }
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Request req;
        req.url = server.url("/slow");
        req.timeout = 20s;
        got = co_await co_send(client, req);
        resumed_on = std::this_thread::get_id();
        in_io_context = io.get_executor().running_in_this_thread();
        finished = true;
      },
      asio::detached);
  io.run();  // returns once both coroutines ended: the pending request counted as work

  EXPECT_EQ(got.outcome, Outcome::done) << got.reason;
  EXPECT_EQ(got.body, "slow answer");
  EXPECT_GE(ticks, 3);
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
  EXPECT_TRUE(in_io_context);
}

TEST(CoSend, ResumesOnTheCallersStrand) {
  TestServer server([](const SeenRequest&) { return Reply{.status = 503}; });
  HttpClient client;
  asio::thread_pool pool(2);
  auto strand = asio::make_strand(pool);
  std::promise<std::pair<Response, bool>> result;
  asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<void> {
        Request req;
        req.url = server.url();
        Response r = co_await co_send(client, req);
        bool on_strand = strand.running_in_this_thread();
        result.set_value({std::move(r), on_strand});
      },
      asio::detached);
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(20s), std::future_status::ready);
  auto [response, on_strand] = future.get();
  EXPECT_EQ(response.outcome, Outcome::retry_later);
  EXPECT_EQ(response.status, 503);
  EXPECT_TRUE(on_strand);
  pool.join();
}

TEST(CoSend, RefusalStillResumesThroughTheExecutor) {
  asio::io_context io;  // first: destroyed after the client's worker, which posts to it, joined
  HttpClient client;
  client.stop();
  Response got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Request req;
        req.url = "http://127.0.0.1:9/";
        got = co_await co_send(client, req);
      },
      asio::detached);
  io.run();
  EXPECT_EQ(got.outcome, Outcome::retry_later);
  EXPECT_EQ(got.reason, "client stopping");
}

}  // namespace
}  // namespace todo::net

// CpuPool (core/cpu_pool.hpp): the work runs on a pool thread, never on the awaiting I/O
// thread, and the coroutine resumes on its own executor; the queue is bounded.
#include "core/cpu_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

namespace todo {
namespace {

namespace asio = boost::asio;

TEST(CpuPool, WorkRunsOnAPoolThreadAndTheCoroutineResumesOnItsOwnThread) {
  asio::io_context io;  // first: destroyed after the pool joined its threads, which post to it
  CpuPool pool(2, 16);
  const auto io_thread = std::this_thread::get_id();
  std::thread::id worked_on, resumed_on;
  int value = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto job = [&] {
          worked_on = std::this_thread::get_id();
          return 42;
        };
        auto r = co_await pool.run(std::move(job));
        resumed_on = std::this_thread::get_id();
        value = r.ok() ? *r : -1;
      },
      asio::detached);
  io.run();
  EXPECT_EQ(value, 42);
  EXPECT_NE(worked_on, io_thread) << "the work ran on the I/O thread";
  EXPECT_EQ(resumed_on, io_thread) << "the coroutine did not come back to its executor";
}

TEST(CpuPool, AFullQueueAnswersUnavailableAtOnceAndTheRestStillRuns) {
  asio::io_context io;  // first: destroyed after the pool joined its threads, which post to it
  CpuPool pool(1, 2);   // one thread; two jobs waiting or running at most
  std::promise<void> release;
  auto released = release.get_future().share();
  std::vector<ErrorKind> refused;
  int done = 0;
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(
        io,
        [&, released]() -> asio::awaitable<void> {
          auto job = [released] {
            released.wait();
            return 1;
          };
          auto r = co_await pool.run(std::move(job));
          if (r.ok()) {
            ++done;
          } else {
            refused.push_back(r.error().kind);
            EXPECT_EQ(r.error().retry_after_seconds, 1);
            release.set_value();  // only now may the two accepted jobs finish
          }
        },
        asio::detached);
  io.run();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0], ErrorKind::unavailable);
  EXPECT_EQ(done, 2);
  EXPECT_EQ(pool.queued(), 0u);
}

TEST(CpuPool, AnExceptionInTheWorkIsAnInternalErrorNotACrash) {
  asio::io_context io;  // first: destroyed after the pool joined its threads, which post to it
  CpuPool pool(1, 4);
  std::optional<Result<int>> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto job = []() -> int { throw std::runtime_error("boom"); };
        out.emplace(co_await pool.run(std::move(job)));
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(out && !out->ok());
  EXPECT_EQ(out->error().kind, ErrorKind::internal);
}

}  // namespace
}  // namespace todo

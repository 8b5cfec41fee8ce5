#pragma once
// CpuPool: where CPU-heavy work (Argon2id hashing, rendering metrics that query the
// database, large validations) runs, never on an I/O thread.
//
// `co_await pool.run(fn)` runs fn() on a pool thread and resumes the awaiting coroutine on its
// OWN executor with the result. (Posting to the pool with `co_await asio::post(pool,
// use_awaitable)` does not do that: the coroutine resumes on its executor and runs the work
// there, on the I/O thread.) The queue is bounded: when `max_queued` jobs wait or run, run()
// completes at once with ErrorKind::unavailable (the HTTP layer answers 503 with
// Retry-After), so a flood of expensive requests cannot queue without limit.
//
// Lifecycle: threads start in the constructor; stop() (and the destructor) refuses new work
// and joins after the queued jobs ran. Thread safety: run() from any thread.
#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <type_traits>

#include "core/error.hpp"

namespace todo {

class CpuPool {
 public:
  CpuPool(int threads, std::size_t max_queued)
      : pool_(std::size_t(std::max(1, threads))), max_queued_(max_queued) {}
  ~CpuPool() { stop(); }
  CpuPool(const CpuPool&) = delete;
  CpuPool& operator=(const CpuPool&) = delete;

  // fn() -> R, run on a pool thread; Result<R> back on the caller's executor. Pass a NAMED
  // callable (see storage/await.hpp on temporaries in co_await expressions under g++ 12).
  template <class Fn, class R = std::invoke_result_t<Fn&>>
  boost::asio::awaitable<Result<R>> run(Fn fn) {
    auto job = std::make_shared<Fn>(std::move(fn));
    auto initiation = [this](auto handler, std::shared_ptr<Fn> job) {
      auto executor = boost::asio::get_associated_executor(handler);
      auto shared = std::make_shared<decltype(handler)>(std::move(handler));
      if (queued_.fetch_add(1) >= max_queued_ || stopping_) {
        --queued_;
        Error e = Error::make(ErrorKind::unavailable, "the server is busy; retry shortly");
        e.retry_after_seconds = 1;
        boost::asio::post(executor, [shared, e]() mutable { (*shared)(Result<R>(std::move(e))); });
        return;
      }
      boost::asio::post(pool_, [this, shared, job, executor]() mutable {
        std::optional<Result<R>> out;
        try {
          out.emplace((*job)());
        } catch (const std::exception& ex) {
          out.emplace(Error::make(ErrorKind::internal, ex.what()));
        }
        --queued_;
        boost::asio::post(executor,
                          [shared, out = std::move(out)]() mutable { (*shared)(std::move(*out)); });
      });
    };
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<R>)>(
        std::move(initiation), boost::asio::use_awaitable, std::move(job));
  }

  // Jobs waiting or running now.
  std::size_t queued() const { return queued_; }

  void stop() {
    if (stopping_.exchange(true)) return;
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
  std::size_t max_queued_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace todo

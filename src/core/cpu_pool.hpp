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
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
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
  // ErrorKind::unavailable (retry after 1 s) when the queue is full or the pool stopping;
  // ErrorKind::internal when fn throws.
  template <class Fn, class R = std::invoke_result_t<Fn&>>
  boost::asio::awaitable<Result<R>> run(Fn fn) {
    auto slot = std::make_shared<std::optional<Result<R>>>();
    auto job = std::make_shared<Fn>(std::move(fn));
    std::function<void()> work = [slot, job] { slot->emplace((*job)()); };
    Status status = co_await run_job(work);
    if (!status.ok()) co_return status.error();
    co_return std::move(**slot);
  }

  // The non-template half of run() (cpu_pool.cpp): runs `work` (moved from at once) on a pool
  // thread and resumes on the caller's executor.
  boost::asio::awaitable<Status> run_job(std::function<void()>& work);

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

#include "core/cpu_pool.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace todo {

boost::asio::awaitable<Status> CpuPool::run_job(std::function<void()>& work) {
  auto job = std::make_shared<std::function<void()>>(std::move(work));
  auto initiation = [this](auto handler, const std::shared_ptr<std::function<void()>>& job) {
    auto executor = boost::asio::get_associated_executor(handler);
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    if (queued_.fetch_add(1) >= max_queued_ || stopping_) {
      --queued_;
      Error e = Error::make(ErrorKind::unavailable, "the server is busy; retry shortly");
      e.retry_after_seconds = 1;
      boost::asio::post(executor, [shared, e]() mutable { (*shared)(Status(std::move(e))); });
      return;
    }
    boost::asio::post(pool_, [this, shared, job, executor]() mutable {
      Status status = Unit{};
      try {
        (*job)();
      } catch (const std::exception& ex) {
        status = Error::make(ErrorKind::internal, ex.what());
      }
      --queued_;
      boost::asio::post(executor, [shared, status = std::move(status)]() mutable {
        (*shared)(std::move(status));
      });
    });
  };
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                 void(Status)>(
      std::move(initiation), boost::asio::use_awaitable, std::move(job));
}

}  // namespace todo

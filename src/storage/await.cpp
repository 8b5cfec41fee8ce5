#include "storage/await.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace todo::storage {

boost::asio::awaitable<Status> run_unit(Database& db, bool write, ops::Metrics& metrics,
                                        Work& work) {
  // Only a shared_ptr crosses asio's own coroutine frames (pointer-sized, relocation-safe).
  auto unit = std::make_shared<Work>(std::move(work));
  auto initiation = [&db, write, &metrics](auto handler, const std::shared_ptr<Work>& unit) {
    auto executor = boost::asio::get_associated_executor(handler);
    // std::function needs copyable callables; the handler is move-only.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    auto start = std::chrono::steady_clock::now();
    Work run = [unit](Tx& tx) { (*unit)(tx); };
    Done done = [shared, executor, start, write, &metrics](Status status) {
      metrics.record_db(
          write ? "write" : "read",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      boost::asio::post(executor, [shared, status = std::move(status)]() mutable {
        (*shared)(std::move(status));
      });
    };
    if (write)
      db.write(std::move(run), std::move(done));
    else
      db.read(std::move(run), std::move(done));
  };
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                 void(Status)>(
      std::move(initiation), boost::asio::use_awaitable, std::move(unit));
}

}  // namespace todo::storage

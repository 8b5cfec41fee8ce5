#include "storage/async_reads.hpp"

#include <chrono>

#include "storage/await.hpp"

namespace todo::storage {

boost::asio::awaitable<Result<TaskPage>> read_task_page(Database& db, ops::Metrics& metrics,
                                                        const std::string& user_id,
                                                        const TaskQuery& q) {
  if (AsyncReads* reads = db.async_reads()) {
    const auto start = std::chrono::steady_clock::now();
    auto page = co_await reads->task_page(user_id, q);
    metrics.add(kTaskPageReadsMetric, page ? R"(path="pipelined")" : R"(path="reader_thread")", 1);
    if (page) {
      metrics.record_db(
          "read", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      co_return std::move(*page);
    }
  }
  auto unit = [user = user_id, query = q](Tx& tx) {
    return Result<TaskPage>(storage::tasks(tx).list(user, query));
  };
  co_return co_await db_read<TaskPage>(db, metrics, std::move(unit));
}

}  // namespace todo::storage

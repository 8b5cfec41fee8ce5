#include "storage/async_reads.hpp"

#include <chrono>

#include "storage/await.hpp"

namespace todo::storage {
namespace {

// The read through db.async_reads() (`pipelined`: a member of AsyncReads, called with it)
// when it takes it, else `unit` as a read unit; counted in `metric` by path.
template <typename T, typename Pipelined, typename Unit>
boost::asio::awaitable<Result<T>> pipelined_or_unit(Database& db, ops::Metrics& metrics,
                                                    const char* metric, Pipelined pipelined,
                                                    Unit unit) {
  if (AsyncReads* reads = db.async_reads()) {
    const auto start = std::chrono::steady_clock::now();
    std::optional<T> value = co_await pipelined(*reads);
    metrics.add(metric, value ? R"(path="pipelined")" : R"(path="reader_thread")", 1);
    if (value) {
      metrics.record_db(
          "read", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      co_return std::move(*value);
    }
  }
  co_return co_await db_read<T>(db, metrics, std::move(unit));
}

}  // namespace

boost::asio::awaitable<Result<TaskPage>> read_task_page(Database& db, ops::Metrics& metrics,
                                                        const std::string& user_id,
                                                        const TaskQuery& q) {
  // Named, not temporaries in the co_await expression (g++ 12, storage/await.hpp).
  auto pipelined = [&](AsyncReads& reads) { return reads.task_page(user_id, q); };
  auto unit = [user = user_id, query = q](Tx& tx) {
    return Result<TaskPage>(storage::tasks(tx).list(user, query));
  };
  co_return co_await pipelined_or_unit<TaskPage>(db, metrics, kTaskPageReadsMetric, pipelined,
                                                 std::move(unit));
}

boost::asio::awaitable<Result<std::optional<Task>>> read_task(Database& db, ops::Metrics& metrics,
                                                              const std::string& user_id,
                                                              const std::int64_t& id) {
  auto pipelined = [&](AsyncReads& reads) { return reads.task(user_id, id); };
  auto unit = [user = user_id, task_id = id](Tx& tx) {
    return Result<std::optional<Task>>(storage::tasks(tx).find(user, task_id));
  };
  co_return co_await pipelined_or_unit<std::optional<Task>>(db, metrics, kTaskReadsMetric,
                                                            pipelined, std::move(unit));
}

boost::asio::awaitable<Result<AuditPage>> read_audit_page(Database& db, ops::Metrics& metrics,
                                                          const std::string& user_id,
                                                          const AuditQuery& q) {
  auto pipelined = [&](AsyncReads& reads) { return reads.audit_page(user_id, q); };
  auto unit = [user = user_id, query = q](Tx& tx) {
    return Result<AuditPage>(storage::audit_log(tx).list(user, query));
  };
  co_return co_await pipelined_or_unit<AuditPage>(db, metrics, kAuditPageReadsMetric, pipelined,
                                                  std::move(unit));
}

boost::asio::awaitable<Result<NotificationPage>> read_notification_page(
    Database& db, ops::Metrics& metrics, const std::string& user_id, const NotificationQuery& q) {
  auto pipelined = [&](AsyncReads& reads) { return reads.notification_page(user_id, q); };
  auto unit = [user = user_id, query = q](Tx& tx) {
    return Result<NotificationPage>(storage::notifications(tx).list(user, query));
  };
  co_return co_await pipelined_or_unit<NotificationPage>(db, metrics, kNotificationPageReadsMetric,
                                                         pipelined, std::move(unit));
}

}  // namespace todo::storage

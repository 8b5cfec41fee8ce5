#pragma once
// Reads that run without a database thread. A read unit (Database::read) hands the request
// from its I/O thread to a reader thread and the answer back: two thread wake-ups per read,
// which on the machines measured cost more than the statement itself (bench/RESULTS.md,
// issue 16, fifteenth session). On PostgreSQL a read that is one statement can instead be sent
// from the I/O thread itself on a connection of that thread in libpq's pipeline mode
// (postgres/pg_pipeline.hpp): its result arrives on the thread's own event loop, together with
// the other requests' results.
//
// The task pages (GET /api/{user_id}/tasks, the busiest read), one task
// (GET /api/{user_id}/tasks/{id}), the audit pages (GET /api/{user_id}/audit) and the
// notification pages (GET /api/{user_id}/notifications) go this way; any other read is a unit.
// SQLite has none (Database::async_reads() is null): its reads are local calls.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "ops/metrics.hpp"
#include "storage/audit_store.hpp"
#include "storage/database.hpp"
#include "storage/notification_store.hpp"
#include "storage/task_store.hpp"

namespace todo::storage {

struct AsyncReadStats {
  std::uint64_t pipelined = 0;  // reads answered on the caller's I/O thread
  std::uint64_t fallbacks = 0;  // reads it could not take (then run as units by the caller)
};

class AsyncReads {
 public:
  virtual ~AsyncReads() = default;
  // The page of `q` for `user_id` (as TaskStore::list), read on the calling coroutine's
  // executor, which must be an io_context run by one thread (an I/O thread of http::Server).
  // nullopt when it cannot be read that way now: no connection for this thread yet (one is
  // being made on a reader thread), the connection broke, too many statements in flight on it,
  // or the statement failed. The caller then reads it as a unit, which gives the proper error.
  // The arguments are references (g++ 12 and temporaries in a co_await expression,
  // storage/await.hpp): they must outlive the co_await.
  virtual boost::asio::awaitable<std::optional<TaskPage>> task_page(const std::string& user_id,
                                                                    const TaskQuery& q) = 0;
  // `user_id`'s task `id` (as TaskStore::find: nullopt inside when there is none, or it is
  // another user's), under the same conditions (outer nullopt: it could not be read this way).
  virtual boost::asio::awaitable<std::optional<std::optional<Task>>> task(
      const std::string& user_id, const std::int64_t& id) = 0;
  // The same for an audit page (as AuditStore::list).
  virtual boost::asio::awaitable<std::optional<AuditPage>> audit_page(const std::string& user_id,
                                                                      const AuditQuery& q) = 0;
  // The same for a notifications page with its unread count (as NotificationStore::list).
  virtual boost::asio::awaitable<std::optional<NotificationPage>> notification_page(
      const std::string& user_id, const NotificationQuery& q) = 0;
  virtual AsyncReadStats stats() const = 0;
};

// Counters of the task pages, the single tasks, the audit pages and the notification pages read
// where db.async_reads() exists, by path: label path="pipelined" (on the I/O thread) or
// path="reader_thread" (it could not take the read). Described by the tasks, audit and
// reminders modules.
inline constexpr const char* kTaskPageReadsMetric = "todo_db_task_page_reads_total";
inline constexpr const char* kTaskReadsMetric = "todo_db_task_reads_total";
inline constexpr const char* kAuditPageReadsMetric = "todo_db_audit_page_reads_total";
inline constexpr const char* kNotificationPageReadsMetric = "todo_db_notification_page_reads_total";

// The page of `q` for `user_id`: through db.async_reads() when there is one and it can take
// the read, else as a read unit (storage/await.hpp's db_read, with its errors:
// ErrorKind::unavailable when the database cannot take it now). Resumes on the caller's
// executor; records the read's duration in `metrics` either way, and counts it in
// kTaskPageReadsMetric when db.async_reads() exists. `user_id` and `q` must outlive
// the co_await.
boost::asio::awaitable<Result<TaskPage>> read_task_page(Database& db, ops::Metrics& metrics,
                                                        const std::string& user_id,
                                                        const TaskQuery& q);

// `user_id`'s task `id` (as TaskStore::find: nullopt when there is none), the same way:
// pipelined when it can be, else a read unit; counted in kTaskReadsMetric. `user_id` and `id`
// must outlive the co_await.
boost::asio::awaitable<Result<std::optional<Task>>> read_task(Database& db, ops::Metrics& metrics,
                                                              const std::string& user_id,
                                                              const std::int64_t& id);

// The audit page of `q` for `user_id` (as AuditStore::list), the same way: pipelined when it
// can be, else a read unit; counted in kAuditPageReadsMetric.
boost::asio::awaitable<Result<AuditPage>> read_audit_page(Database& db, ops::Metrics& metrics,
                                                          const std::string& user_id,
                                                          const AuditQuery& q);

// The notifications page of `q` for `user_id` with the unread count (as
// NotificationStore::list), the same way; counted in kNotificationPageReadsMetric.
boost::asio::awaitable<Result<NotificationPage>> read_notification_page(Database& db,
                                                                        ops::Metrics& metrics,
                                                                        const std::string& user_id,
                                                                        const NotificationQuery& q);

}  // namespace todo::storage

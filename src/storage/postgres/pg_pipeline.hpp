#pragma once
// Pipelined reads on the I/O threads (storage/async_reads.hpp), PostgreSQL's implementation.
//
// PipelinedConnection: one libpq connection in pipeline mode and non-blocking
// (libpq §34.5 "Pipeline Mode"), used by the coroutines of ONE io_context run by one thread.
// Each statement is sent at once, prepared on first use, and followed by its own Sync, so that
// each is its own implicit transaction and an error ends only its own statement. One reading
// coroutine, started with the first statement, waits on the socket through the io_context for
// as long as the connection serves, and hands each result, in the order sent, to the coroutine
// that sent it. It holds the connection: a connection lives until it retires (or its
// io_context is destroyed), even past PgAsyncReads.
//
// PgAsyncReads: gives each I/O thread its connection. `connections` are opened at start
// (one per I/O thread), bound to an io_context at its first read; a connection that breaks is
// retired, and its replacement is opened on a reader thread (never on an I/O thread: connecting
// blocks), at most one attempt a second. Until then that thread's reads fall back to units.
//
// Threads: a PipelinedConnection only on its io_context's thread; PgAsyncReads from any.
#include <libpq-fe.h>

#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/async_reads.hpp"
#include "storage/postgres/pg_handle.hpp"

namespace todo::storage::postgres {

class PipelinedConnection : public std::enable_shared_from_this<PipelinedConnection> {
 public:
  // Statements in flight at most; past it query() declines (the caller reads as a unit), so
  // that neither side's buffers fill with results nobody reads yet.
  static constexpr std::size_t kMaxInFlight = 32;

  // Takes a connected handle (its session SQL already run) and puts it in pipeline mode.
  // Throws DbError when libpq refuses.
  explicit PipelinedConnection(std::unique_ptr<Handle> handle);
  ~PipelinedConnection();
  PipelinedConnection(const PipelinedConnection&) = delete;
  PipelinedConnection& operator=(const PipelinedConnection&) = delete;

  // Runs `sql` with `params` (columns in `format`) and resumes on the caller's executor, which
  // must be the one every other call on this connection used. nullopt, never an exception,
  // when it could not: the connection is retired or full, or the statement failed (logged at
  // debug; a broken connection at warn). `sql` and `params` must outlive the co_await.
  boost::asio::awaitable<std::optional<Rows>> query(const std::string& sql, const Params& params,
                                                    ResultFormat format);
  // False once the connection broke or its io_context went away: it takes no more statements.
  bool usable() const { return !retired_; }
  // The backend's process id (PQbackendPID), for tests that end its session.
  int backend_pid() const;

 private:
  // Moved by construction only: Boost 1.81's any_completion_handler move ASSIGNMENT wraps its
  // source instead of taking its handler (fixed in 1.82), so it is deleted here.
  struct InFlight {
    boost::asio::any_completion_handler<void(std::optional<Rows>)> handler;
    ResultPtr result;           // the statement's own result (not its Prepare's)
    bool failed = false;        // some result of it was an error
    bool any_result = false;    // a result of it came (its Prepare's, when it sent one, first)
    std::string prepared_sql;   // set when it sent a Prepare: the statement's text
    std::string prepared_name;  // and the name it prepared it as

    explicit InFlight(boost::asio::any_completion_handler<void(std::optional<Rows>)> h)
        : handler(std::move(h)) {}
    InFlight(InFlight&&) = default;
    InFlight& operator=(InFlight&&) = delete;
  };
  // Retires the connection when the reader's frame goes without the reader finishing. It holds
  // the connection itself: the order in which a coroutine frame's parameters are destroyed is
  // not ours to rely on (a separate shared_ptr parameter went first: a use after free, found
  // by ASan).
  struct ReaderLease {
    std::shared_ptr<PipelinedConnection> conn;
    bool finished = false;
    explicit ReaderLease(std::shared_ptr<PipelinedConnection> c) : conn(std::move(c)) {}
    ReaderLease(ReaderLease&& other) noexcept;
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease();
  };
  // Reads results until the connection retires; one at a time (reading_).
  boost::asio::awaitable<void> read_results(boost::asio::any_io_executor executor,
                                            ReaderLease lease);
  // Hands every complete result libpq has buffered to its statement's coroutine.
  void deliver(const boost::asio::any_io_executor& executor);
  // Fails every statement in flight and takes no more; `why` is logged at warn.
  void retire(const std::string& why, const boost::asio::any_io_executor& executor);
  void complete(InFlight& item, std::optional<Rows> rows,
                const boost::asio::any_io_executor& executor);

  std::unique_ptr<Handle> handle_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  int next_statement_ = 0;
  std::deque<InFlight> in_flight_;  // in the order sent
  bool reading_ = false;
  bool retired_ = false;
  bool must_flush_ = false;  // libpq holds output the socket did not take yet
  boost::asio::posix::stream_descriptor* socket_ = nullptr;  // read_results' own, while it runs
};

class PgAsyncReads final : public AsyncReads {
 public:
  // Runs `work` on a database thread (PooledDatabase's reader pool): where the replacement
  // connections are opened. Calls `refused` instead (perhaps at once, on the calling thread)
  // when the pool cannot take it: stopping, or its queue full.
  using RunBlocking =
      std::function<void(std::function<void()> work, std::function<void()> refused)>;

  // Opens `connections` connections now (throws DbError when one fails, as the pool's do).
  PgAsyncReads(std::string url, std::string session_sql, int connections, RunBlocking run_blocking);

  boost::asio::awaitable<std::optional<TaskPage>> task_page(const std::string& user_id,
                                                            const TaskQuery& q) override;
  boost::asio::awaitable<std::optional<std::optional<Task>>> task(const std::string& user_id,
                                                                  const std::int64_t& id) override;
  boost::asio::awaitable<std::optional<AuditPage>> audit_page(const std::string& user_id,
                                                              const AuditQuery& q) override;
  boost::asio::awaitable<std::optional<NotificationPage>> notification_page(
      const std::string& user_id, const NotificationQuery& q) override;
  AsyncReadStats stats() const override;

  // The connection bound to `context` (binding a spare one first), or null when there is none
  // yet. For the reads and for tests.
  std::shared_ptr<PipelinedConnection> connection_for(boost::asio::execution_context& context);

 private:
  // `sql` with `params` on the calling thread's connection, its rows given to `decode` (a
  // callable Rows -> T, which may throw DbError); nullopt when the read was declined or failed
  // (`what` names it in the debug log). Counts it in pipelined_ or fallbacks_.
  template <typename T, typename Decode>
  boost::asio::awaitable<std::optional<T>> read(const std::string& sql, const Params& params,
                                                ResultFormat format, Decode decode,
                                                const char* what);
  // Starts opening a replacement unless one is being opened or the last attempt was under a
  // second ago. Called without mutex_ held.
  void open_replacement();

  const std::string url_;
  const std::string session_sql_;
  RunBlocking run_blocking_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<PipelinedConnection>> spare_;
  std::unordered_map<boost::asio::execution_context*, std::shared_ptr<PipelinedConnection>> bound_;
  bool opening_ = false;
  std::chrono::steady_clock::time_point next_open_{};
  std::atomic<std::uint64_t> pipelined_{0};
  std::atomic<std::uint64_t> fallbacks_{0};
};

}  // namespace todo::storage::postgres

#include "storage/postgres/pg_pipeline.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <utility>

#include <unistd.h>

#include "core/log.hpp"
#include "storage/postgres/pg_audit.hpp"
#include "storage/postgres/pg_notifications.hpp"
#include "storage/postgres/pg_tasks.hpp"

namespace todo::storage::postgres {

namespace asio = boost::asio;

namespace {

// libpq's message of the connection's last error, on one line.
std::string message_of(PGconn* conn) {
  return one_line(PQerrorMessage(conn));
}

// Completes with the first of two waits on `socket`, for input and for output space: libpq's
// rule while PQflush has output pending (libpq §34.4 "Asynchronous Command Processing": wait
// for read-ready or write-ready, and call PQconsumeInput or PQflush accordingly). Waiting for
// output space alone deadlocks once the server, sending results we do not read, stops reading
// the statements we are still sending. The later wait is cancelled, and its handler then does
// nothing. Signature void(error_code): the first wait's.
template <typename CompletionToken>
auto async_wait_readable_or_writable(asio::posix::stream_descriptor& socket,
                                     CompletionToken&& token) {
  return asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
      [&socket](auto handler) {
        using Handler = decltype(handler);
        auto first = std::make_shared<std::optional<Handler>>(std::move(handler));
        auto on_ready = [first, &socket](boost::system::error_code ec) {
          if (!first->has_value()) return;  // the other wait came first
          Handler done = std::move(**first);
          first->reset();
          boost::system::error_code ignored;
          socket.cancel(ignored);  // ends the other wait
          std::move(done)(ec);
        };
        socket.async_wait(asio::posix::stream_descriptor::wait_read, on_ready);
        socket.async_wait(asio::posix::stream_descriptor::wait_write, on_ready);
      },
      token);
}

}  // namespace

PipelinedConnection::PipelinedConnection(std::unique_ptr<Handle> handle)
    : handle_(std::move(handle)) {
  PGconn* conn = handle_->raw();
  if (PQenterPipelineMode(conn) != 1 || PQsetnonblocking(conn, 1) != 0)
    throw DbError("cannot enter pipeline mode: " + message_of(conn));
}

PipelinedConnection::~PipelinedConnection() = default;

int PipelinedConnection::backend_pid() const {
  return PQbackendPID(handle_->raw());
}

asio::awaitable<std::optional<Rows>> PipelinedConnection::query(const std::string& sql,
                                                                const Params& params,
                                                                ResultFormat format) {
  if (retired_ || in_flight_.size() >= kMaxInFlight) co_return std::nullopt;
  auto executor = co_await asio::this_coro::executor;
  PGconn* conn = handle_->raw();
  auto found = prepared_.find(sql);
  bool prepares = false;
  if (found == prepared_.end()) {
    std::string name = "todo_pipelined_" + std::to_string(++next_statement_);
    if (PQsendPrepare(conn, name.c_str(), sql.c_str(), 0, nullptr) != 1) {
      retire("sending a Prepare failed: " + message_of(conn), executor);
      co_return std::nullopt;
    }
    // Known from now on: a later statement of the same text, sent before this Prepare's
    // result is back, runs after it in the pipeline.
    found = prepared_.emplace(sql, std::move(name)).first;
    prepares = true;
  }
  const auto values = params.pointers();
  std::vector<int> lengths;
  if (params.any_binary()) lengths = params.lengths();
  if (PQsendQueryPrepared(conn, found->second.c_str(), params.size(), values.data(),
                          lengths.empty() ? nullptr : lengths.data(),
                          lengths.empty() ? nullptr : params.formats().data(),
                          static_cast<int>(format)) != 1 ||
      PQpipelineSync(conn) != 1) {
    // A Prepare may have gone without its statement: the pipeline's order is lost.
    retire("sending a statement failed: " + message_of(conn), executor);
    co_return std::nullopt;
  }
  const int flushed = PQflush(conn);
  if (flushed < 0) {
    retire("sending failed: " + message_of(conn), executor);
    co_return std::nullopt;
  }
  must_flush_ = flushed == 1;
  // The statement takes its place in in_flight_ in the initiation, which runs once this
  // coroutine is suspended and before anything else runs on the thread. The reader (the first
  // statement starts it; it then runs until the connection retires) is started only then:
  // co_spawn may run it at once (it dispatches).
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<Rows>)>(
      [this, &executor, prepared = prepares ? &*found : nullptr](auto handler) {
        in_flight_.emplace_back(std::move(handler));
        if (prepared) {
          in_flight_.back().prepared_sql = prepared->first;
          in_flight_.back().prepared_name = prepared->second;
        }
        if (!reading_) {
          reading_ = true;
          asio::co_spawn(executor, read_results(executor, ReaderLease{shared_from_this()}),
                         asio::detached);
        } else if (must_flush_ && socket_) {
          socket_->cancel();  // the reader may wait for input only: now for output space too
        }
      },
      asio::use_awaitable);
}

PipelinedConnection::ReaderLease::ReaderLease(ReaderLease&& other) noexcept
    : conn(std::move(other.conn)), finished(other.finished) {}

// A parameter of read_results, so that it ends with the coroutine's frame even when the
// coroutine never got to run (its io_context destroyed first): the statements in flight can
// then never be read, and the connection retires (their coroutines go with the io_context).
PipelinedConnection::ReaderLease::~ReaderLease() {
  if (!conn || finished) return;
  conn->reading_ = false;
  conn->retired_ = true;
  conn->in_flight_.clear();
}

asio::awaitable<void> PipelinedConnection::read_results(asio::any_io_executor executor,
                                                        ReaderLease lease) {
  PGconn* conn = handle_->raw();
  // Asio watches a duplicate of libpq's socket, which it closes when the reader ends. Not
  // libpq's own descriptor: libpq closes that itself when the connection fails (in
  // PQconsumeInput), and Asio's deregistration of it by number afterwards could remove another
  // socket given that number meanwhile (an HTTP connection that thread 0 accepted into this
  // io_context), which would then wait for input forever. The duplicate is the same open
  // socket: the same readiness.
  asio::posix::stream_descriptor socket(executor);
  boost::system::error_code ec;
  const int watched = ::dup(PQsocket(conn));
  if (watched < 0)
    ec.assign(errno, boost::system::system_category());
  else
    socket.assign(watched, ec);
  if (ec) {
    if (watched >= 0) ::close(watched);
    reading_ = false;
    lease.finished = true;
    retire("cannot watch the socket: " + ec.message(), executor);
    co_return;
  }
  socket_ = &socket;
  struct Forget {  // however the coroutine ends, query() no longer cancels its waits
    PipelinedConnection& self;
    ~Forget() { self.socket_ = nullptr; }
  } forget{*this};

  // Waits on the socket for as long as the connection serves, statements in flight or not:
  // a reader started per burst of statements cost two epoll_ctl calls and a coroutine each
  // time, and an idle wait costs nothing (and sees a session the server ended at once).
  while (!retired_) {
    ec.clear();
    if (must_flush_)
      co_await async_wait_readable_or_writable(socket,
                                               asio::redirect_error(asio::use_awaitable, ec));
    else
      co_await socket.async_wait(asio::posix::stream_descriptor::wait_read,
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (retired_) break;
    // Cancelled by query() to wait for output space too: not an error.
    if (ec && ec != asio::error::operation_aborted) {
      retire("waiting on the socket failed: " + ec.message(), executor);
      break;
    }
    // libpq: when output is pending, read input first (the server may be blocked sending
    // results to us), then flush again. Both are non-blocking, whichever wait ended.
    if (PQconsumeInput(conn) != 1) {
      retire("reading failed: " + message_of(conn), executor);
      break;
    }
    if (must_flush_) {
      const int flushed = PQflush(conn);
      if (flushed < 0) {
        retire("sending failed: " + message_of(conn), executor);
        break;
      }
      must_flush_ = flushed == 1;
    }
    deliver(executor);
  }
  reading_ = false;
  lease.finished = true;
}

void PipelinedConnection::deliver(const asio::any_io_executor& executor) {
  PGconn* conn = handle_->raw();
  // Each statement yields: [its Prepare's result, null], its result, null, then the Sync's
  // PGRES_PIPELINE_SYNC; after an error, PGRES_PIPELINE_ABORTED for the rest up to the Sync.
  // Two nulls in a row mean nothing more is buffered (PQisBusy cannot tell between two
  // statements' results), so wait for input.
  int nulls = 0;
  while (!in_flight_.empty() && PQisBusy(conn) == 0) {
    ResultPtr result(PQgetResult(conn));
    if (!result) {
      if (++nulls > 1) break;
      continue;
    }
    nulls = 0;
    InFlight& item = in_flight_.front();
    const bool first_result = !item.any_result;
    item.any_result = true;
    switch (PQresultStatus(result.get())) {
      case PGRES_PIPELINE_SYNC: {
        std::optional<Rows> rows;
        if (!item.failed && item.result) rows.emplace(std::move(item.result));
        InFlight done = std::move(item);
        in_flight_.pop_front();
        complete(done, std::move(rows), executor);
        break;
      }
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
        item.result = std::move(result);
        break;
      default:
        if (!item.failed) {
          const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
          log::debug("pipelined read failed ({}): {}", state ? state : "no SQLSTATE",
                     one_line(PQresultErrorMessage(result.get())));
        }
        item.failed = true;
        // Its Prepare failed (the first result of a statement that sent one): the name does not
        // exist on the server, so the next statement of that text prepares again. A statement
        // that failed when it ran keeps its prepared statement (forgetting it would leave one
        // more on the server at each error).
        if (first_result && !item.prepared_sql.empty()) {
          auto known = prepared_.find(item.prepared_sql);
          if (known != prepared_.end() && known->second == item.prepared_name)
            prepared_.erase(known);
        }
        break;
    }
  }
}

void PipelinedConnection::complete(InFlight& item, std::optional<Rows> rows,
                                   const asio::any_io_executor& executor) {
  // Posted, not called: the reader must not resume another coroutine in the middle of its
  // own loop. On the io_context's own thread a post is a queue push, not a wake-up.
  asio::post(executor, [handler = std::move(item.handler), rows = std::move(rows)]() mutable {
    std::move(handler)(std::move(rows));
  });
}

void PipelinedConnection::retire(const std::string& why, const asio::any_io_executor& executor) {
  if (!retired_)
    log::warn("pipelined reads on this I/O thread stop ({}); reads use reader threads meanwhile",
              why);
  retired_ = true;
  if (socket_) socket_->cancel();
  // Each of them falls back to a read unit: nothing is lost.
  while (!in_flight_.empty()) {
    InFlight item = std::move(in_flight_.front());
    in_flight_.pop_front();
    complete(item, std::nullopt, executor);
  }
}

PgAsyncReads::PgAsyncReads(std::string url, std::string session_sql, int connections,
                           RunBlocking run_blocking)
    : url_(std::move(url)),
      session_sql_(std::move(session_sql)),
      run_blocking_(std::move(run_blocking)) {
  for (int i = 0; i < connections; ++i)
    spare_.push_back(
        std::make_shared<PipelinedConnection>(std::make_unique<Handle>(url_, session_sql_)));
}

std::shared_ptr<PipelinedConnection> PgAsyncReads::connection_for(
    asio::execution_context& context) {
  {
    std::lock_guard lock(mutex_);
    auto found = bound_.find(&context);
    if (found != bound_.end()) {
      if (found->second->usable()) return found->second;
      bound_.erase(found);  // retired: a coroutine of it may still hold it (shared_ptr)
    }
    if (!spare_.empty()) {
      auto conn = std::move(spare_.back());
      spare_.pop_back();
      bound_.emplace(&context, conn);
      return conn;
    }
  }
  open_replacement();
  return nullptr;
}

void PgAsyncReads::open_replacement() {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (opening_ || now < next_open_ || !run_blocking_) return;
    opening_ = true;
    next_open_ = now + std::chrono::seconds(1);
  }
  auto opened = [this] {
    std::shared_ptr<PipelinedConnection> conn;
    try {
      conn = std::make_shared<PipelinedConnection>(std::make_unique<Handle>(url_, session_sql_));
    } catch (const std::exception& e) {
      log::warn("cannot open a connection for pipelined reads: {}", e.what());
    }
    std::lock_guard lock(mutex_);
    opening_ = false;
    if (conn) spare_.push_back(std::move(conn));
  };
  auto refused = [this] {
    std::lock_guard lock(mutex_);
    opening_ = false;
  };
  run_blocking_(std::move(opened), std::move(refused));
}

template <typename T, typename Decode>
asio::awaitable<std::optional<T>> PgAsyncReads::read(const std::string& sql, const Params& params,
                                                     ResultFormat format, Decode decode,
                                                     const char* what) {
  auto executor = co_await asio::this_coro::executor;
  auto conn = connection_for(asio::query(executor, asio::execution::context));
  std::optional<T> value;
  if (conn) {
    auto rows = co_await conn->query(sql, params, format);
    if (rows) {
      try {
        value = decode(*rows);
      } catch (const DbError& e) {
        log::debug("pipelined {} unreadable: {}", what, e.what());
      }
    }
  }
  ++(value ? pipelined_ : fallbacks_);
  co_return value;
}

asio::awaitable<std::optional<TaskPage>> PgAsyncReads::task_page(const std::string& user_id,
                                                                 const TaskQuery& q) {
  const Statement statement = task_page_statement(user_id, q);
  auto decode = [&q](const Rows& rows) { return read_task_page(rows, q); };
  co_return co_await read<TaskPage>(statement.sql, statement.params, ResultFormat::binary, decode,
                                    "task page");
}

asio::awaitable<std::optional<std::optional<Task>>> PgAsyncReads::task(const std::string& user_id,
                                                                       const std::int64_t& id) {
  const Statement statement = task_statement(user_id, id);
  auto decode = [](const Rows& rows) { return read_found_task(rows); };
  co_return co_await read<std::optional<Task>>(statement.sql, statement.params,
                                               ResultFormat::binary, decode, "task");
}

asio::awaitable<std::optional<AuditPage>> PgAsyncReads::audit_page(const std::string& user_id,
                                                                   const AuditQuery& q) {
  if (q.limit < 1) co_return AuditPage{};  // as AuditStore::list
  const auto [sql, params] = audit_list_statement(user_id, q);
  auto decode = [&q](const Rows& rows) { return read_audit_page(rows, q); };
  co_return co_await read<AuditPage>(sql, params, ResultFormat::text, decode, "audit page");
}

asio::awaitable<std::optional<NotificationPage>> PgAsyncReads::notification_page(
    const std::string& user_id, const NotificationQuery& q) {
  const Statement statement = notification_page_statement(user_id, q);
  auto decode = [&q](const Rows& rows) { return read_notification_page(rows, q); };
  co_return co_await read<NotificationPage>(statement.sql, statement.params, ResultFormat::text,
                                            decode, "notifications page");
}

AsyncReadStats PgAsyncReads::stats() const {
  return {pipelined_.load(), fallbacks_.load()};
}

}  // namespace todo::storage::postgres

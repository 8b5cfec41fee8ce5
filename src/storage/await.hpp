#pragma once
// Bridges coroutines and Database: `co_await db_write<T>(db, metrics, fn)` runs
// fn(Tx&) -> Result<T> on a database thread (group-committed for writes) and resumes the
// coroutine on its own executor once the transaction committed (or failed: then the Result
// holds the Error: ErrorKind::unavailable when the database cannot take it now).
//
// The asynchronous part (async_initiate, the hop back to the caller's executor) is one
// non-template function, run_unit (await.cpp), so that each handler's instantiation of
// db_write<T> costs a small coroutine rather than Asio's whole completion machinery
// (a large share of the compile time of handler files).
//
// Callers: pass a NAMED lambda (std::move it in). g++ 12 relocates non-trivial temporaries
// of a co_await expression bitwise, which corrupts captured std::strings (SSO); a named
// local in the coroutine frame is safe. For the same reason run_unit takes its Work by
// reference to a named local.
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>

#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::storage {

// Runs `work` as a write (group-committed) or read unit and resumes on the caller's executor
// with its status. `work` is moved from at once.
boost::asio::awaitable<Status> run_unit(Database& db, bool write, ops::Metrics& metrics,
                                        Work& work);

template <class T, class Fn>
boost::asio::awaitable<Result<T>> run_db(Database& db, bool write, ops::Metrics& metrics, Fn fn) {
  auto slot = std::make_shared<std::optional<Result<T>>>();
  auto unit = std::make_shared<Fn>(std::move(fn));
  Work work = [slot, unit](Tx& tx) { slot->emplace((*unit)(tx)); };
  Status status = co_await run_unit(db, write, metrics, work);
  if (!status.ok()) co_return status.error();
  co_return std::move(**slot);
}

template <class T, class Fn>
boost::asio::awaitable<Result<T>> db_write(Database& db, ops::Metrics& metrics, Fn fn) {
  return run_db<T>(db, true, metrics, std::move(fn));
}

template <class T, class Fn>
boost::asio::awaitable<Result<T>> db_read(Database& db, ops::Metrics& metrics, Fn fn) {
  return run_db<T>(db, false, metrics, std::move(fn));
}

}  // namespace todo::storage

#pragma once
// Bridges coroutines and Database: `co_await db_write<T>(db, metrics, fn)` runs
// fn(Tx&) -> Result<T> on a database thread (group-committed for writes) and resumes the
// coroutine on its own executor once the transaction committed (or failed: then the
// Result holds the Error).
//
// Callers: pass a NAMED lambda (std::move it in). g++ 12 relocates non-trivial temporaries
// of a co_await expression bitwise, which corrupts captured std::strings (SSO); a named
// local in the coroutine frame is safe. For the same reason only a shared_ptr crosses
// asio's own coroutine frames here.
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ops/metrics.hpp"
#include "storage/database.hpp"

namespace todo::storage {

template <class T, class Fn>
boost::asio::awaitable<Result<T>> run_db(Database& db, bool write, ops::Metrics& metrics, Fn fn) {
  // Only a shared_ptr crosses asio's own coroutine frames (pointer-sized, relocation-safe).
  auto unit = std::make_shared<Fn>(std::move(fn));
  auto initiation = [&db, write, &metrics](auto handler, std::shared_ptr<Fn> unit) {
    auto executor = boost::asio::get_associated_executor(handler);
    // std::function needs copyable callables; the handler is move-only.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    auto slot = std::make_shared<std::optional<Result<T>>>();
    auto start = std::chrono::steady_clock::now();
    Work work = [slot, unit](Tx& tx) { slot->emplace((*unit)(tx)); };
    Done done = [slot, shared, executor, start, write, &metrics](Status status) {
      if (!status.ok()) slot->emplace(status.error());
      metrics.record_db(
          write ? "write" : "read",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      boost::asio::post(executor, [shared, slot]() mutable { (*shared)(std::move(**slot)); });
    };
    if (write)
      db.write(std::move(work), std::move(done));
    else
      db.read(std::move(work), std::move(done));
  };
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Result<T>)>(
      std::move(initiation), boost::asio::use_awaitable, std::move(unit));
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

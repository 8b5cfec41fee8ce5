#pragma once
// Blocking calls into Database, for background threads (relay, retention) — never for
// network I/O threads, which use storage/await.hpp.
#include <future>

#include "storage/database.hpp"

namespace todo::storage {

inline Status write_and_wait(Database& db, Work work) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  db.write(std::move(work), [promise](Status s) { promise->set_value(std::move(s)); });
  return future.get();
}

// The same through Database::write_first (the outbox relay's units).
inline Status write_first_and_wait(Database& db, Work work) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  db.write_first(std::move(work), [promise](Status s) { promise->set_value(std::move(s)); });
  return future.get();
}

inline Status read_and_wait(Database& db, Work work) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  db.read(std::move(work), [promise](Status s) { promise->set_value(std::move(s)); });
  return future.get();
}

}  // namespace todo::storage

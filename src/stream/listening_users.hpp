#pragma once
// ListeningUsers: who listened lately, in memory, so that on SQLite the stream consumer's
// wants() (bus/consumer.hpp) can say no for users who never open the app — then their task
// events are not even addressed to the consumer (no outbox bit, no dedupe row, no
// transaction), which the in-transaction check of StreamConsumer::handle() cannot spare.
//
// Only exact where this process opens every stream of the database and writes every event:
// a SQLite file has one serving process (storage/README.md). A stream marks its user here
// BEFORE its listen() write, on the same single writer as the events, so an event written
// after the mark is addressed and one written before it commits before the stream's
// position is read. With PostgreSQL several processes may serve streams, so the module
// does not use it (every event is wanted and handle() decides, in its transaction).
//
// Thread-safe: wants() runs on the writer thread, marks on I/O and worker threads.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace todo::stream {

class ListeningUsers {
 public:
  // `window`: the consumer's listening window; a user counts here a minute longer (a superset
  // is safe: handle() checks the database).
  explicit ListeningUsers(std::chrono::milliseconds window)
      : keep_(Millis((window + std::chrono::minutes(1)).count())) {}

  // Whether `user_id` may be listening at `now` (always true before load()).
  bool maybe_listening(std::string_view user_id, Millis now) const {
    if (!loaded_.load(std::memory_order_acquire)) return true;
    std::lock_guard lock(mutex_);
    auto it = users_.find(std::string(user_id));
    return it != users_.end() && it->second + keep_ >= now;
  }
  // `user_id` listened at `at` (a stream opened, or is still open).
  void listened(const std::string& user_id, Millis at) {
    std::lock_guard lock(mutex_);
    auto& last = users_[user_id];
    last = std::max(last, at);
  }
  // The database's listeners (user, listened_at); marks the set loaded.
  void load(const std::vector<std::pair<std::string, Millis>>& users) {
    for (const auto& [user, at] : users) listened(user, at);
    loaded_.store(true, std::memory_order_release);
  }
  // Forgets users whose mark is too old to matter at `now` (bounded memory).
  void forget_before(Millis now) {
    std::lock_guard lock(mutex_);
    std::erase_if(users_, [&](const auto& entry) { return entry.second + keep_ < now; });
  }

 private:
  Millis keep_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Millis> users_;
  std::atomic<bool> loaded_{false};
};

}  // namespace todo::stream

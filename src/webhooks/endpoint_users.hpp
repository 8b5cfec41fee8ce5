#pragma once
// EndpointUsers: which users have a webhook endpoint, so that the webhooks consumers want
// (bus::Consumer::wants) only their events and every other user's events cost nothing here —
// no dedupe row, no lookup (without it, a plain create fed one more consumer and PostgreSQL
// creates fell by about a tenth).
//
// Loaded from the database at start (every user with an endpoint, enabled or not: a superset
// is safe, handle() still reads the endpoints), grown by the creating route right after its
// commit (before the 201, so every change the client makes afterwards is delivered) and, on
// PostgreSQL, by LISTEN todo_webhooks (the store's insert NOTIFYs) for endpoints created by
// another process, which are known here within the notification's delay. Deleted endpoints
// are not removed (their users' events reach handle(), which finds nothing). Until loaded,
// every user may have one. Thread-safe: wants() runs on writer and relay threads.
#include <atomic>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace todo::webhooks {

class EndpointUsers {
 public:
  // Whether `user_id` may have an endpoint (true before load()).
  bool maybe_has(std::string_view user_id) const {
    if (!loaded_.load(std::memory_order_acquire)) return true;
    std::shared_lock lock(mutex_);
    return users_.find(std::string(user_id)) != users_.end();
  }
  void add(std::string user_id) {
    std::unique_lock lock(mutex_);
    users_.insert(std::move(user_id));
  }
  // Adds `users` (the database's list) and marks the set loaded.
  void load(const std::vector<std::string>& users) {
    {
      std::unique_lock lock(mutex_);
      users_.insert(users.begin(), users.end());
    }
    loaded_.store(true, std::memory_order_release);
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_set<std::string> users_;
  std::atomic<bool> loaded_{false};
};

}  // namespace todo::webhooks

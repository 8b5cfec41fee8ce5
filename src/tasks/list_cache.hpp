#pragma once
// ListCache: recent task-list responses per user, for the single-process (SQLite) shape,
// where every write to a user's tasks passes through this process (the routes bump, and so do
// consumers that write tasks, through tasks/task_writes.hpp). UIs poll the same
// list over and over; serving it from memory is what lets GET /tasks scale past the
// database (bench/RESULTS.md has the figures with and without it).
//
// Correctness rests on a per-user generation counter:
//   reader: g = generation(user); on miss, query, then store(user, key, g, body)
//   writer: after its transaction committed, bump(user)
// store() keeps a body only while the user's generation is still g, so a body read
// before a commit can never be served after that commit's bump.
// Not for PostgreSQL with several API replicas: a write on another replica would not bump.
//
// Bounded: at most kEntriesPerUser bodies per user and max_bytes in all (oldest users
// evicted first). Thread safety: one mutex; every call is short.
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace todo {

class ListCache {
 public:
  explicit ListCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  std::uint64_t generation(const std::string& user_id);
  std::optional<std::string> find(const std::string& user_id, const std::string& key,
                                  std::uint64_t generation);
  void store(const std::string& user_id, const std::string& key, std::uint64_t generation,
             std::string body);
  void bump(const std::string& user_id);
  std::size_t bytes() const;

 private:
  static constexpr std::size_t kEntriesPerUser = 8;
  struct Entry {
    std::string key;
    std::string body;
  };
  struct UserEntries {
    std::uint64_t generation = 0;
    std::list<Entry> entries;  // most recent first
    std::list<std::string>::iterator lru;
    bool in_lru = false;
  };
  void drop_entries(UserEntries& user);
  void touch(const std::string& user_id, UserEntries& user);

  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::size_t bytes_ = 0;
  std::uint64_t next_generation_ = 1;  // global, so a re-created user never reuses one
  std::unordered_map<std::string, UserEntries> users_;
  std::list<std::string> lru_;  // user ids, most recent first
};

}  // namespace todo

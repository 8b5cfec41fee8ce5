#include "tasks/list_cache.hpp"

namespace todo {

void ListCache::touch(const std::string& user_id, UserEntries& user) {
  if (user.in_lru) lru_.erase(user.lru);
  lru_.push_front(user_id);
  user.lru = lru_.begin();
  user.in_lru = true;
}

void ListCache::drop_entries(UserEntries& user) {
  for (const auto& e : user.entries) bytes_ -= e.key.size() + e.body.size();
  user.entries.clear();
}

std::uint64_t ListCache::generation(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = users_.try_emplace(user_id);
  if (inserted) {
    it->second.generation = next_generation_++;
    touch(user_id, it->second);
  }
  return it->second.generation;
}

std::optional<std::string> ListCache::find(const std::string& user_id, const std::string& key,
                                           std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end() || it->second.generation != generation) return std::nullopt;
  for (const auto& e : it->second.entries)
    if (e.key == key) return e.body;
  return std::nullopt;
}

void ListCache::store(const std::string& user_id, const std::string& key, std::uint64_t generation,
                      std::string body) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end() || it->second.generation != generation) return;  // a write came in
  if (key.size() + body.size() > max_bytes_ / 4) return;
  auto& user = it->second;
  for (auto e = user.entries.begin(); e != user.entries.end(); ++e)
    if (e->key == key) {
      bytes_ -= e->key.size() + e->body.size();
      user.entries.erase(e);
      break;
    }
  bytes_ += key.size() + body.size();
  user.entries.push_front({key, std::move(body)});
  if (user.entries.size() > kEntriesPerUser) {
    bytes_ -= user.entries.back().key.size() + user.entries.back().body.size();
    user.entries.pop_back();
  }
  touch(user_id, user);
  // Evict least recently used users' bodies (their generations stay, see next_generation_).
  for (auto victim = lru_.rbegin(); bytes_ > max_bytes_ && victim != lru_.rend(); ++victim)
    if (*victim != user_id) drop_entries(users_.at(*victim));
  // Forget users without bodies once the map grows large.
  if (users_.size() > 100000) {
    while (!lru_.empty() && users_.size() > 50000) {
      const std::string& id = lru_.back();
      if (id == user_id) break;
      auto u = users_.find(id);
      if (u != users_.end()) {
        drop_entries(u->second);
        users_.erase(u);
      }
      lru_.pop_back();
    }
  }
}

void ListCache::bump(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end()) return;  // nothing cached, and a new reader gets a fresh generation
  it->second.generation = next_generation_++;
  drop_entries(it->second);
}

std::size_t ListCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace todo

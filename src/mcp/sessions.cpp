#include "mcp/sessions.hpp"

#include "core/random.hpp"

namespace todo::mcp {

void SessionTable::sweep(Clock::time_point now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_used > idle_) {
      if (--per_user_[it->second.user_id] == 0) per_user_.erase(it->second.user_id);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string SessionTable::create(const std::string& user_id, const std::string& protocol_version,
                                 Clock::time_point now) {
  std::string id = random_hex(32);
  std::lock_guard lock(mutex_);
  sweep(now);
  if (per_user_[user_id] >= max_per_user_) {
    // Make room: end the user's least recently used session.
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.user_id == user_id &&
          (oldest == sessions_.end() || it->second.last_used < oldest->second.last_used))
        oldest = it;
    if (oldest != sessions_.end()) {
      sessions_.erase(oldest);
      --per_user_[user_id];
    }
  }
  sessions_[id] = Session{user_id, protocol_version, now};
  ++per_user_[user_id];
  return id;
}

std::optional<Session> SessionTable::use(const std::string& id, const std::string& user_id,
                                         Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.user_id != user_id) return std::nullopt;
  if (now - it->second.last_used > idle_) {
    if (--per_user_[user_id] == 0) per_user_.erase(user_id);
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second;
}

bool SessionTable::end(const std::string& id, const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.user_id != user_id) return false;
  sessions_.erase(it);
  if (--per_user_[user_id] == 0) per_user_.erase(user_id);
  return true;
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace todo::mcp

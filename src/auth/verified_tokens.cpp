#include "auth/verified_tokens.hpp"

#include <algorithm>
#include <utility>

namespace todo::auth {

VerifiedTokens::VerifiedTokens(std::size_t capacity)
    : generation_size_(std::max<std::size_t>(capacity / 2, 1)) {}

std::optional<JwtClaims> VerifiedTokens::find(std::string_view token, Millis now, Millis leeway) {
  std::unique_lock lock(mutex_);
  if (auto it = current_.find(token); it != current_.end()) {
    if (now < it->second.expires_at + leeway) return it->second;
    current_.erase(it);
    return std::nullopt;
  }
  auto it = previous_.find(token);
  if (it == previous_.end()) return std::nullopt;
  auto node = previous_.extract(it);
  if (now >= node.mapped().expires_at + leeway) return std::nullopt;
  JwtClaims claims = node.mapped();
  // A full generation rotates here too; the dropped one is freed once the lock is released.
  Map dropped = insert_locked(std::move(node.key()), std::move(node.mapped()));
  lock.unlock();
  return claims;
}

void VerifiedTokens::insert(std::string_view token, const JwtClaims& claims) {
  std::unique_lock lock(mutex_);
  if (current_.contains(token)) return;
  Map dropped = insert_locked(std::string(token), claims);
  lock.unlock();  // the dropped generation's thousands of entries are freed without the lock
}

VerifiedTokens::Map VerifiedTokens::insert_locked(std::string token, JwtClaims claims) {
  Map dropped;
  if (current_.size() >= generation_size_) {
    dropped = std::exchange(previous_, std::move(current_));
    current_ = Map();
  }
  current_.emplace(std::move(token), std::move(claims));
  return dropped;
}

std::size_t VerifiedTokens::size() const {
  std::lock_guard lock(mutex_);
  return current_.size() + previous_.size();
}

}  // namespace todo::auth

#include "auth/sign_in_limiter.hpp"

namespace todo {

int SignInLimiter::wait_for(Failures& failures, int max, Clock::time_point now) {
  while (!failures.empty() && failures.front() + policy_.window <= now) failures.pop_front();
  if (int(failures.size()) < max) return 0;
  auto wait = std::chrono::ceil<std::chrono::seconds>(failures.front() + policy_.window - now);
  return std::max<int>(1, int(wait.count()));
}

int SignInLimiter::retry_after(const std::string& email, const std::string& address,
                               Clock::time_point now) {
  std::lock_guard lock(mutex_);
  int wait = 0;
  if (auto it = by_account_.find(email); it != by_account_.end())
    wait = std::max(wait, wait_for(it->second, policy_.max_per_account, now));
  if (auto it = by_address_.find(address); it != by_address_.end())
    wait = std::max(wait, wait_for(it->second, policy_.max_per_address, now));
  return wait;
}

void SignInLimiter::record_failure(const std::string& email, const std::string& address,
                                   Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (by_account_.size() + by_address_.size() > policy_.max_tracked) prune(now);
  by_account_[email].push_back(now);
  by_address_[address].push_back(now);
}

void SignInLimiter::record_success(const std::string& email) {
  std::lock_guard lock(mutex_);
  by_account_.erase(email);
}

void SignInLimiter::prune(Clock::time_point now) {
  for (auto* map : {&by_account_, &by_address_})
    for (auto it = map->begin(); it != map->end();) {
      auto& f = it->second;
      while (!f.empty() && f.front() + policy_.window <= now) f.pop_front();
      it = f.empty() ? map->erase(it) : std::next(it);
    }
}

}  // namespace todo

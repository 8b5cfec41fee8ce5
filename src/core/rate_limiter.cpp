#include "core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace todo {
namespace {

// Counts are doubles that decay continuously; compare with a little slack so that 5
// events recorded an instant ago still count as 5 (not 4.9999).
constexpr double kSlack = 1e-9;

RateLimiter::Duration scaled(RateLimiter::Duration d, double factor) {
  return std::chrono::duration_cast<RateLimiter::Duration>(
      std::chrono::duration<double, RateLimiter::Duration::period>(double(d.count()) * factor));
}

}  // namespace

RateLimiter::RateLimiter(Policy policy) : policy_(policy) {
  if (policy_.forget_every <= Duration::zero()) policy_.forget_every = std::chrono::seconds(1);
  policy_.max_keys = std::max<std::size_t>(1, policy_.max_keys);
}

void RateLimiter::decay(Entry& e, Clock::time_point now) const {
  if (now <= e.count_at) return;  // callers' clocks may interleave slightly
  const double forgotten = std::chrono::duration<double>(now - e.count_at) /
                           std::chrono::duration<double>(policy_.forget_every);
  e.count = std::max(0.0, e.count - forgotten);
  e.count_at = now;
}

RateLimiter::Entry* RateLimiter::find(const std::string& key, Clock::time_point now) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  Entry& e = *it->second;
  decay(e, now);
  if (e.count <= kSlack) {  // everything forgotten: nothing to keep
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return &e;
}

RateLimiter::Entry& RateLimiter::find_or_add(const std::string& key, Clock::time_point now) {
  if (Entry* e = find(key, now)) return *e;
  if (index_.size() >= policy_.max_keys) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{key, 0.0, now, now});
  index_.emplace(key, lru_.begin());
  return lru_.front();
}

RateLimiter::Duration RateLimiter::wait_of(const Entry& e, Clock::time_point now) const {
  Duration wait{0};
  if (policy_.burst > 0 && e.count + 1 > policy_.burst + kSlack)
    wait = scaled(policy_.forget_every, e.count + 1 - policy_.burst);
  if (policy_.backoff_base > Duration::zero()) {
    const double n = std::ceil(e.count - kSlack);
    if (n > policy_.free_events) {
      // 2^k grows past any cap quickly; clamp the exponent so the double stays finite.
      const double k = std::min(n - policy_.free_events - 1, 62.0);
      Duration delay = policy_.backoff_cap;
      const double factor = std::exp2(k);
      if (double(policy_.backoff_base.count()) * factor < double(policy_.backoff_cap.count()) ||
          policy_.backoff_cap <= Duration::zero())
        delay = scaled(policy_.backoff_base, factor);
      wait = std::max(wait, e.last_event + delay - now);
    }
  }
  return std::max(wait, Duration::zero());
}

RateLimiter::Duration RateLimiter::wait(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const Entry* e = find(key, now);
  return e ? wait_of(*e, now) : Duration::zero();
}

void RateLimiter::record(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry& e = find_or_add(key, now);
  e.count += 1;
  e.last_event = std::max(e.last_event, now);
}

RateLimiter::Duration RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Entry& e = find_or_add(key, now);
  if (Duration w = wait_of(e, now); w > Duration::zero()) return w;
  e.count += 1;
  e.last_event = std::max(e.last_event, now);
  return Duration::zero();
}

void RateLimiter::touch(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (Entry* e = find(key, now)) e->last_event = std::max(e->last_event, now);
}

void RateLimiter::cancel(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (Entry* e = find(key, now)) e->count = std::max(0.0, e->count - 1);
}

void RateLimiter::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
}

double RateLimiter::recent(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const Entry* e = find(key, now);
  return e ? e->count : 0.0;
}

std::size_t RateLimiter::size() {
  std::lock_guard lock(mutex_);
  return index_.size();
}

int retry_after_seconds(RateLimiter::Duration wait) {
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
  return int(std::clamp<long long>(seconds, 1, 24 * 3600));
}

}  // namespace todo

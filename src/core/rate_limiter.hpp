#pragma once
// RateLimiter: how often each key (a client address, an account, a pair of both) may do
// something costly or risky, in bounded memory. The one limiter behind the sign-up limit and
// the sign-in limiter (auth/sign_in_limiter.hpp); the caller passes `now`, so tests drive the
// clock.
//
// Each key holds a count of its recent events that decays continuously: one event is
// forgotten every `forget_every` (a leaky bucket). Two rules, each off when its parameter
// is 0, say how long a key must wait before its next event:
// - bucket: at most `burst` recent events at once (a token bucket of `burst` tokens, one
//   coming back every `forget_every`); the wait is the time until the count falls to
//   burst - 1.
// - backoff: once a key has more than `free_events` recent events (n, rounded up), its next
//   event waits backoff_base * 2^(n - free_events - 1) after its latest one, at most
//   `backoff_cap` (exponential backoff; the delay shrinks again as events are forgotten).
//
// Memory: at most `max_keys` keys. A new key beyond that evicts the key touched least
// recently (an LRU list: O(1) per call, whatever the keys an attacker makes up); a key
// whose count has decayed to nothing is dropped when next seen.
//
// Thread safety: every method locks one mutex; calls are O(1) on average.
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace todo {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = Clock::duration;

  struct Policy {
    Duration forget_every = std::chrono::minutes(1);  // one recent event forgotten per this
    double burst = 0;                                 // bucket rule; 0 = off
    int free_events = 0;                              // backoff: events without delay
    Duration backoff_base{0};                         // backoff rule; 0 = off
    Duration backoff_cap{0};                          // longest backoff delay
    std::size_t max_keys = 50000;
  };

  explicit RateLimiter(Policy policy);

  // How long `key` must wait before its next event: zero when it may go ahead now.
  Duration wait(const std::string& key, Clock::time_point now);
  // One event of `key` at `now` (whether or not it had to wait).
  void record(const std::string& key, Clock::time_point now);
  // wait() and, when it is zero, record() in one step: zero when the event may go ahead (and
  // is now counted), else how long to wait.
  Duration acquire(const std::string& key, Clock::time_point now);
  // The latest event of `key` happened at `now` (e.g. a recorded attempt turned out to be a
  // failure only now): the backoff delay runs from here. Nothing for an unknown key.
  void touch(const std::string& key, Clock::time_point now);
  // One recorded event did not count after all (e.g. the attempt succeeded).
  void cancel(const std::string& key, Clock::time_point now);
  // Drops everything known of `key`.
  void forget(const std::string& key);
  // The decayed count of recent events of `key` (0 for an unknown key).
  double recent(const std::string& key, Clock::time_point now);

  std::size_t size();  // keys held now (for tests of the bound)

 private:
  struct Entry {
    std::string key;
    double count = 0;                // recent events as of `count_at`
    Clock::time_point count_at{};    // when `count` was last brought up to date
    Clock::time_point last_event{};  // the latest event (backoff runs from it)
  };
  using Lru = std::list<Entry>;  // front: touched most recently

  Entry* find(const std::string& key, Clock::time_point now);  // decayed; null if gone
  Entry& find_or_add(const std::string& key, Clock::time_point now);
  void decay(Entry& e, Clock::time_point now) const;
  Duration wait_of(const Entry& e, Clock::time_point now) const;

  Policy policy_;
  std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

// Whole seconds to announce in Retry-After (RFC 9110 §10.2.3) for a wait: rounded up, at
// least 1.
int retry_after_seconds(RateLimiter::Duration wait);

}  // namespace todo

#pragma once
// CircuitBreaker: stops calling a dependency that keeps failing, then lets one probe
// through after a cool-down. Closed → (failure_threshold failures in a row) → open for
// `open_for` → half-open: one call; success closes, failure re-opens with the cool-down
// doubled (capped at max_open_for). Time is passed in, so tests need no clock.
// Not thread-safe: one per relay thread — except state(), which a metrics scrape reads from
// any thread (the todo_dapr_circuit_open gauge), hence the atomic.
#include <atomic>
#include <chrono>

namespace todo::bus::dapr {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_for,
                 std::chrono::milliseconds max_open_for)
      : threshold_(failure_threshold),
        base_open_for_(open_for),
        max_open_for_(max_open_for),
        open_for_(open_for) {}

  // May a call go out now? Moves open → half-open once the cool-down has passed.
  bool allow(Clock::time_point now) {
    if (state_ == State::open && now >= open_until_) state_ = State::half_open;
    return state_ != State::open;
  }
  // A health probe says the dependency is back: let the next call through now instead of
  // after the rest of the cool-down (half-open: its failure re-opens the breaker).
  void probe_succeeded() {
    if (state_ == State::open) state_ = State::half_open;
  }
  void record_success() {
    state_ = State::closed;
    failures_ = 0;
    open_for_ = base_open_for_;
  }
  void record_failure(Clock::time_point now) {
    ++failures_;
    if (state_ == State::half_open) {
      open_for_ = std::min(open_for_ * 2, max_open_for_);
      trip(now);
    } else if (state_ == State::closed && failures_ >= threshold_) {
      trip(now);
    }
  }
  State state() const { return state_.load(std::memory_order_relaxed); }

 private:
  void trip(Clock::time_point now) {
    state_ = State::open;
    open_until_ = now + open_for_;
  }
  int threshold_;
  std::chrono::milliseconds base_open_for_, max_open_for_, open_for_;
  std::atomic<State> state_{State::closed};
  int failures_ = 0;
  Clock::time_point open_until_{};
};

}  // namespace todo::bus::dapr

#pragma once
// Slows down password guessing: after 5 failed sign-ins for one e-mail, or 20 from one
// address, within 15 minutes, further attempts are refused (429 + Retry-After) until the
// oldest failure in the window ages out. In memory, per process; bounded in size.
// Thread safety: all methods lock one mutex.
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace todo {

class SignInLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Policy {
    int max_per_account = 5;
    int max_per_address = 20;
    std::chrono::seconds window{15 * 60};
    std::size_t max_tracked = 100000;
  };

  SignInLimiter() = default;
  explicit SignInLimiter(Policy policy) : policy_(policy) {}

  // Seconds to wait before trying again, or 0 when an attempt is allowed now.
  int retry_after(const std::string& email, const std::string& address, Clock::time_point now);
  void record_failure(const std::string& email, const std::string& address, Clock::time_point now);
  void record_success(const std::string& email);

 private:
  using Failures = std::deque<Clock::time_point>;
  int wait_for(Failures& failures, int max, Clock::time_point now);
  void prune(Clock::time_point now);

  Policy policy_;
  std::mutex mutex_;
  std::unordered_map<std::string, Failures> by_account_;
  std::unordered_map<std::string, Failures> by_address_;
};

}  // namespace todo

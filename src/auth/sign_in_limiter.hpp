#pragma once
// Slows down password guessing without locking the owner out (issue 14, item 7). Used by
// sign-in and by the routes that ask for the password again (change-password, account
// deletion); core/rate_limiter.hpp does the counting.
//
// The policy (the defaults of Policy; every wait is answered 429 with Retry-After):
// 1. Per (account, address): 4 failures cost nothing; from the 5th on, each failure makes
//    the next attempt from that address on that account wait 1 s, 2 s, 4 s, ... at most
//    15 min. One failure is forgotten every 15 min; a successful sign-in from the address
//    clears its record. The account itself is never locked: the owner signing in from
//    their own address is not slowed by an attacker elsewhere.
// 2. Per address, over all accounts (credential stuffing): at most 30 failures at once, one
//    more allowed every 60 s (a token bucket).
// 3. Per account, over all addresses (an attack spread over many addresses): at most 50
//    failures at once, one more every 10 s — so the wait it imposes is never longer than
//    10 s. Addresses that signed in to the account successfully within 30 days are exempt.
// "Address" is http::rate_limit_key(RequestContext::remote_address): behind a trusted proxy
// the client's (http/client_address.hpp), an IPv6 client by its /64. An unknown e-mail counts
// like a wrong password.
//
// Attempts are counted when admitted, before the password is checked (so that a burst of
// concurrent guesses cannot all pass as "free"), and given back when the password was right
// or never checked.
//
// Memory: each table holds at most Policy::max_keys keys (least recently used evicted).
// In memory, per process. Thread safety: every method may be called from any thread.
#include <chrono>
#include <mutex>
#include <string>

#include "core/rate_limiter.hpp"

namespace todo {

class SignInLimiter {
 public:
  using Clock = RateLimiter::Clock;

  struct Policy {
    int free_failures = 4;                // per (account, address)
    std::chrono::seconds first_delay{1};  // then doubled per failure
    std::chrono::seconds max_delay{15 * 60};
    std::chrono::seconds pair_forget_every{15 * 60};  // one failure forgotten per this
    int address_burst = 30;                           // failures per address, over accounts
    std::chrono::seconds address_refill{60};
    int account_burst = 50;  // failures per account, over addresses
    std::chrono::seconds account_refill{10};
    std::chrono::hours known_address_for{30 * 24};  // a successful sign-in exempts (3.)
    std::size_t max_keys = 50000;                   // per table
  };

  SignInLimiter() : SignInLimiter(Policy{}) {}
  explicit SignInLimiter(Policy policy);

  // Before checking a password for `account` (the lower-cased e-mail) from `address`: the
  // seconds to wait (Retry-After) when the attempt is refused, else 0 — and the attempt is
  // then counted as a failure until succeeded() or not_checked() says otherwise.
  int admit(const std::string& account, const std::string& address, Clock::time_point now);
  // The admitted attempt was a wrong password (or unknown account): the delay runs from now.
  void failed(const std::string& account, const std::string& address, Clock::time_point now);
  // The admitted attempt had the right password: clears the (account, address) record and
  // remembers the address as the owner's.
  void succeeded(const std::string& account, const std::string& address, Clock::time_point now);
  // The admitted attempt never reached the password check (storage or CPU pool busy).
  void not_checked(const std::string& account, const std::string& address, Clock::time_point now);

 private:
  Policy policy_;
  std::mutex mutex_;       // admit() checks three tables and counts in all three as one step
  RateLimiter pairs_;      // (account, address): backoff
  RateLimiter addresses_;  // address: bucket
  RateLimiter accounts_;   // account: bucket
  RateLimiter known_;      // (account, address) pairs that signed in: exempt from `accounts_`
};

}  // namespace todo

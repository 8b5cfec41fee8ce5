#include "auth/sign_in_limiter.hpp"

#include <algorithm>

namespace todo {
namespace {

// One key for the pair: an e-mail cannot contain a NUL, so the split is unambiguous.
std::string pair_key(const std::string& account, const std::string& address) {
  std::string key;
  key.reserve(account.size() + 1 + address.size());
  key.append(account).push_back('\0');
  key.append(address);
  return key;
}

}  // namespace

SignInLimiter::SignInLimiter(Policy p)
    : policy_(p),
      pairs_({.forget_every = p.pair_forget_every,
              .free_events = p.free_failures,
              .backoff_base = p.first_delay,
              .backoff_cap = p.max_delay,
              .max_keys = p.max_keys}),
      addresses_({.forget_every = p.address_refill,
                  .burst = double(p.address_burst),
                  .max_keys = p.max_keys}),
      accounts_({.forget_every = p.account_refill,
                 .burst = double(p.account_burst),
                 .max_keys = p.max_keys}),
      // A count of successes that lasts: one is forgotten per `known_address_for`.
      known_({.forget_every = p.known_address_for, .max_keys = p.max_keys}) {}

int SignInLimiter::admit(const std::string& account, const std::string& address,
                         Clock::time_point now) {
  const std::string pair = pair_key(account, address);
  std::lock_guard lock(mutex_);
  RateLimiter::Duration wait = std::max(pairs_.wait(pair, now), addresses_.wait(address, now));
  const bool owners_address = known_.recent(pair, now) > 0;
  if (!owners_address) wait = std::max(wait, accounts_.wait(account, now));
  if (wait > RateLimiter::Duration::zero()) return retry_after_seconds(wait);
  pairs_.record(pair, now);
  addresses_.record(address, now);
  if (!owners_address) accounts_.record(account, now);
  return 0;
}

void SignInLimiter::failed(const std::string& account, const std::string& address,
                           Clock::time_point now) {
  pairs_.touch(pair_key(account, address), now);
}

void SignInLimiter::succeeded(const std::string& account, const std::string& address,
                              Clock::time_point now) {
  const std::string pair = pair_key(account, address);
  std::lock_guard lock(mutex_);
  pairs_.forget(pair);
  addresses_.cancel(address, now);
  if (known_.recent(pair, now) <= 0) accounts_.cancel(account, now);
  known_.forget(pair);  // known for `known_address_for` from this success on
  known_.record(pair, now);
}

void SignInLimiter::not_checked(const std::string& account, const std::string& address,
                                Clock::time_point now) {
  const std::string pair = pair_key(account, address);
  std::lock_guard lock(mutex_);
  pairs_.cancel(pair, now);
  addresses_.cancel(address, now);
  if (known_.recent(pair, now) <= 0) accounts_.cancel(account, now);
}

}  // namespace todo
